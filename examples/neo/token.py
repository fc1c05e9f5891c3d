# A minimal NEP-17 token: the deployer is the owner and may mint.
from typing import Any

from boa3.sc import runtime, storage
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.contracts import ContractManagement
from boa3.sc.types import UInt160
from boa3.sc.utils import Nep17TransferEvent, call_contract

on_transfer = Nep17TransferEvent

OWNER_KEY = b'owner'
SUPPLY_KEY = b'supply'
BALANCE_PREFIX = b'b'


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.supported_standards = ['NEP-17']
    meta.add_permission(methods=['onNEP17Payment'])
    return meta


@public
def _deploy(data: Any, update: bool):
    if not update:
        storage.put_uint160(OWNER_KEY, runtime.script_container.sender)


@public(safe=True)
def symbol() -> str:
    return 'XVMT'


@public(safe=True)
def decimals() -> int:
    return 2


@public(name='totalSupply', safe=True)
def total_supply() -> int:
    return storage.get_int(SUPPLY_KEY)


@public(name='balanceOf', safe=True)
def balance_of(account: UInt160) -> int:
    assert len(account) == 20
    return storage.get_int(BALANCE_PREFIX + account)


@public
def mint(to: UInt160, amount: int):
    assert amount > 0
    assert runtime.check_witness(storage.get_uint160(OWNER_KEY))
    storage.put_int(BALANCE_PREFIX + to, storage.get_int(BALANCE_PREFIX + to) + amount)
    storage.put_int(SUPPLY_KEY, storage.get_int(SUPPLY_KEY) + amount)
    on_transfer(None, to, amount)


@public
def transfer(from_address: UInt160, to_address: UInt160, amount: int, data: Any) -> bool:
    assert len(from_address) == 20 and len(to_address) == 20
    assert amount >= 0
    from_balance = storage.get_int(BALANCE_PREFIX + from_address)
    if from_balance < amount:
        return False
    if from_address != runtime.calling_script_hash:
        if not runtime.check_witness(from_address):
            return False
    if from_address != to_address and amount != 0:
        if from_balance == amount:
            storage.delete(BALANCE_PREFIX + from_address)
        else:
            storage.put_int(BALANCE_PREFIX + from_address, from_balance - amount)
        storage.put_int(BALANCE_PREFIX + to_address, storage.get_int(BALANCE_PREFIX + to_address) + amount)
    on_transfer(from_address, to_address, amount)
    if ContractManagement.get_contract(to_address) is not None:
        call_contract(to_address, 'onNEP17Payment', [from_address, amount, data])
    return True

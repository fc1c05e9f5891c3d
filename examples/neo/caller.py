# Calls callee.who_calls through System.Contract.Call and returns [the callee's answer, its own hash].
from boa3.sc import runtime
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.types import UInt160
from boa3.sc.utils import call_contract


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.add_permission(methods=['who_calls'])
    return meta


@public
def ask(callee: UInt160) -> list:
    seen = call_contract(callee, 'who_calls')
    return [seen, runtime.executing_script_hash]

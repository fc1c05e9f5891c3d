# Returns who called it (System.Runtime.GetCallingScriptHash) and counts its calls.
from boa3.sc import runtime, storage
from boa3.sc.compiletime import public
from boa3.sc.types import UInt160


@public
def who_calls() -> UInt160:
    storage.put_int(b'calls', storage.get_int(b'calls') + 1)
    return runtime.calling_script_hash


@public(safe=True)
def calls() -> int:
    return storage.get_int(b'calls')

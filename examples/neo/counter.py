# A counter kept in contract storage; emits Incremented(by, value).
from boa3.sc import storage
from boa3.sc.compiletime import public
from boa3.sc.utils import CreateNewEvent

on_incremented = CreateNewEvent([('by', int), ('value', int)], 'Incremented')


@public
def increment(by: int) -> int:
    value = storage.get_int(b'count') + by
    storage.put_int(b'count', value)
    on_incremented(by, value)
    return value


@public(safe=True)
def get() -> int:
    return storage.get_int(b'count')


@public
def reset():
    storage.delete(b'count')

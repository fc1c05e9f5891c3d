# Requests a URL through the Oracle and stores the response it gets back.
from typing import Any

from boa3.sc import runtime, storage
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.contracts import OracleContract
from boa3.sc.utils import CreateNewEvent

on_response = CreateNewEvent([('url', str), ('code', int), ('result', bytes)], 'Response')


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.add_permission(methods=['request'])
    return meta


@public
def fetch(url: str):
    OracleContract.request(url, '', 'callback', 'tag', 10000000)


@public
def callback(url: str, user_data: Any, code: int, result: bytes):
    assert runtime.calling_script_hash == OracleContract.hash
    storage.put(b'result', result)
    storage.put_int(b'code', code)
    on_response(url, code, result)


@public(safe=True)
def last() -> bytes:
    return storage.get(b'result')

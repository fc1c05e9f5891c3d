# StdLib and CryptoLib from a contract: serialize, base64, sha256, verifyWithECDsa.
from typing import Any

from boa3.sc.compiletime import public
from boa3.sc.contracts import CryptoLib, StdLib
from boa3.sc.types import ECPoint, NamedCurveHash


@public(safe=True)
def roundtrip(item: Any) -> Any:
    return StdLib.deserialize(StdLib.serialize(item))


@public(safe=True)
def serialized(item: Any) -> bytes:
    return StdLib.serialize(item)


@public(safe=True)
def b64(data: bytes) -> str:
    return StdLib.base64_encode(data)


@public(safe=True)
def unb64(text: str) -> bytes:
    return StdLib.base64_decode(text)


@public(safe=True)
def digest(data: bytes) -> bytes:
    return CryptoLib.sha256(data)


@public(safe=True)
def verify_r1(message: bytes, pubkey: ECPoint, signature: bytes) -> bool:
    return CryptoLib.verify_with_ecdsa(message, pubkey, signature, NamedCurveHash.SECP256R1SHA256)


@public(safe=True)
def verify_k1(message: bytes, pubkey: bytes, signature: bytes) -> bool:
    # A secp256k1 key is not a secp256r1 point, so it travels as bytes.
    return CryptoLib.verify_with_ecdsa(message, ECPoint(pubkey), signature, NamedCurveHash.SECP256K1SHA256)

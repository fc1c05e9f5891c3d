# pragma version ^0.4.0
# A counter with an event and a revert reason, for xvm's local-chain examples.

event Incremented:
    by: indexed(address)
    value: uint256

count: public(uint256)
owner: public(address)


@deploy
def __init__(start: uint256):
    self.count = start
    self.owner = msg.sender


@external
def increment(step: uint256) -> uint256:
    assert step > 0, "step must be positive"
    self.count += step
    log Incremented(by=msg.sender, value=self.count)
    return self.count


@external
def reset():
    assert msg.sender == self.owner, "only the owner resets"
    self.count = 0

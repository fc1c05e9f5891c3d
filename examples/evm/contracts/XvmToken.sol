// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// An OpenZeppelin ERC20 with a capped, owner-only mint, for xvm's local-chain examples.
contract XvmToken is ERC20, Ownable {
    /// Minting `requested` would pass the cap; only `remaining` is left.
    error MintCapExceeded(uint256 requested, uint256 remaining);

    uint256 public immutable cap;

    constructor(uint256 initialSupply, uint256 cap_) ERC20("Xvm Token", "XVM") Ownable(msg.sender) {
        cap = cap_;
        _mint(msg.sender, initialSupply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        uint256 remaining = cap - totalSupply();
        if (amount > remaining) revert MintCapExceeded(amount, remaining);
        _mint(to, amount);
    }
}

//! Ethereum precompiled contracts (0x01..0x11, 0x100) per revision.

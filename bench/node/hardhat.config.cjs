// hardhat's in-process network as `hardhat node` serves it, for the benchmark only.
module.exports = { networks: { hardhat: { chainId: 31337, hardfork: "prague" } } };

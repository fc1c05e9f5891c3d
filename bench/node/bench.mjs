// One workload against a JSON-RPC node (XVM_RPC_URL): deploy the example ERC20, then
//  - sequential ERC20 transfers through eth_sendRawTransaction (signed locally, explicit nonce,
//    gas and fees, automine: each returns once mined), transactions per second;
//  - sequential eth_call (balanceOf), latency.
// Prints one JSON line.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";

const url = process.env.XVM_RPC_URL;
const TRANSFERS = Number(process.env.BENCH_TRANSFERS || 1000);
const CALLS = Number(process.env.BENCH_CALLS || 2000);
const artifact = JSON.parse(readFileSync(new URL("../../examples/evm/build/XvmToken.json", import.meta.url), "utf8"));
const { abi, evm } = artifact.contracts["contracts/XvmToken.sol"].XvmToken;

const provider = new ethers.JsonRpcProvider(url, undefined, { batchMaxCount: 1, staticNetwork: true });
const key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const wallet = new ethers.Wallet(key, provider);
const token = await (await new ethers.ContractFactory(abi, "0x" + evm.bytecode.object, wallet)
  .deploy(ethers.parseEther("1000000"), ethers.parseEther("2000000"))).waitForDeployment();
const tokenAddr = await token.getAddress();
const iface = token.interface;
const { chainId } = await provider.getNetwork();
let nonce = await provider.getTransactionCount(wallet.address, "latest");
const fee = await provider.getFeeData();

// Sign everything first so that the timing measures the node alone.
const signed = [];
for (let i = 0; i < TRANSFERS; i++) {
  const to = ethers.getAddress("0x" + (i + 1).toString(16).padStart(40, "0"));
  signed.push(await wallet.signTransaction({
    type: 2, chainId, nonce: nonce++, to: tokenAddr, gasLimit: 80000n,
    maxFeePerGas: fee.maxFeePerGas * 10n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    data: iface.encodeFunctionData("transfer", [to, 1n]),
  }));
}
const t0 = performance.now();
const hashes = [];
for (const s of signed) hashes.push(await provider.send("eth_sendRawTransaction", [s]));
const t1 = performance.now();
const last = await provider.getTransactionReceipt(hashes[hashes.length - 1]);
if (!last || last.status !== 1) throw new Error("last transfer not mined");

const callData = iface.encodeFunctionData("balanceOf", [wallet.address]);
const lat = [];
for (let i = 0; i < CALLS; i++) {
  const a = performance.now();
  await provider.send("eth_call", [{ to: tokenAddr, data: callData }, "latest"]);
  lat.push(performance.now() - a);
}
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({
  url,
  client: await provider.send("web3_clientVersion", []),
  transfers: TRANSFERS,
  tx_per_s: +(TRANSFERS / ((t1 - t0) / 1000)).toFixed(1),
  calls: CALLS,
  call_ms_median: +q(0.5).toFixed(3),
  call_ms_p99: +q(0.99).toFixed(3),
}));
provider.destroy();

// One workload against a JSON-RPC node (XVM_RPC_URL): deploy the example ERC20, then
//  - sequential ERC20 transfers through eth_sendRawTransaction (signed locally, explicit nonce,
//    gas and fees, automine: each returns once mined), transactions per second;
//  - sequential eth_call (balanceOf), latency.
// Each loop runs twice: through `provider.send` (ethers' request queue, which waits for a
// `setTimeout(0)` before sending, at least 1 ms in Node.js, even with batching off) and through
// `provider._send` (the same ethers JSON-RPC transport without that timer), which leaves the
// node's own time visible. Prints one JSON line.
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
// The transfers are split in two halves, one per way of sending.
let id = 1;
const direct = async (method, params) => {
  const [r] = await provider._send({ method, params, id: id++, jsonrpc: "2.0" });
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.result;
};
const half = Math.floor(signed.length / 2);
const hashes = [];
let t0 = performance.now();
for (const s of signed.slice(0, half)) hashes.push(await provider.send("eth_sendRawTransaction", [s]));
const queuedSecs = (performance.now() - t0) / 1000;
t0 = performance.now();
for (const s of signed.slice(half)) hashes.push(await direct("eth_sendRawTransaction", [s]));
const directSecs = (performance.now() - t0) / 1000;
const last = await provider.getTransactionReceipt(hashes[hashes.length - 1]);
if (!last || last.status !== 1) throw new Error("last transfer not mined");
if (new Set(hashes).size !== signed.length) throw new Error("duplicate transaction hashes");

const callData = iface.encodeFunctionData("balanceOf", [wallet.address]);
const latency = async (call) => {
  const lat = [];
  for (let i = 0; i < CALLS; i++) {
    const a = performance.now();
    await call("eth_call", [{ to: tokenAddr, data: callData }, "latest"]);
    lat.push(performance.now() - a);
  }
  lat.sort((a, b) => a - b);
  return (p) => +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(3);
};
const queued = await latency((m, p) => provider.send(m, p));
const direct_ = await latency(direct);
console.log(JSON.stringify({
  url,
  client: await provider.send("web3_clientVersion", []),
  transfers: signed.length,
  tx_per_s: +(half / queuedSecs).toFixed(1),
  tx_per_s_direct: +((signed.length - half) / directSecs).toFixed(1),
  calls: CALLS,
  call_ms_median: queued(0.5),
  call_ms_p99: queued(0.99),
  call_ms_median_direct: direct_(0.5),
  call_ms_p99_direct: direct_(0.99),
}));
provider.destroy();

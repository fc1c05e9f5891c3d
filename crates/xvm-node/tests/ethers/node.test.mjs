// xvm node as a real client sees it: ethers v6 over HTTP and WebSocket, under node's test runner.
// The node is started by the caller; XVM_RPC_URL names it (http://127.0.0.1:PORT).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ethers } from "ethers";

const url = process.env.XVM_RPC_URL;
if (!url) throw new Error("set XVM_RPC_URL to a running xvm node");
const here = dirname(fileURLToPath(import.meta.url));
const artifact = JSON.parse(readFileSync(join(here, "../../../../examples/evm/build/XvmToken.json"), "utf8"));
const { abi, evm } = artifact.contracts["contracts/XvmToken.sol"].XvmToken;
const bytecode = "0x" + evm.bytecode.object;

let provider, ws, owner, alice, token;

before(async () => {
  provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50 });
  owner = await provider.getSigner(0);
  alice = await provider.getSigner(1);
  const factory = new ethers.ContractFactory(abi, bytecode, owner);
  token = await factory.deploy(ethers.parseEther("1000"), ethers.parseEther("2000"));
  await token.waitForDeployment();
});

after(async () => {
  provider.destroy();
  if (ws) await ws.destroy();
});

test("chain identity and default accounts", async () => {
  const net = await provider.getNetwork();
  assert.equal(net.chainId, 31337n);
  assert.equal(await owner.getAddress(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  const fee = await provider.getFeeData();
  assert.ok(fee.maxFeePerGas > 0n && fee.maxPriorityFeePerGas > 0n);
});

test("deployed with ContractFactory: code, name, supply", async () => {
  const addr = await token.getAddress();
  assert.ok((await provider.getCode(addr)).length > 1000);
  assert.equal(await token.name(), "Xvm Token");
  assert.equal(await token.totalSupply(), ethers.parseEther("1000"));
});

test("transfer, receipt, Transfer event through a contract filter", async () => {
  const to = await alice.getAddress();
  const tx = await token.transfer(to, ethers.parseEther("5"));
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.logs.length, 1);
  const parsed = token.interface.parseLog(receipt.logs[0]);
  assert.equal(parsed.name, "Transfer");
  assert.equal(parsed.args.value, ethers.parseEther("5"));
  assert.equal(await token.balanceOf(to), ethers.parseEther("5"));
  const events = await token.queryFilter(token.filters.Transfer(await owner.getAddress(), to), 0, "latest");
  assert.ok(events.some((e) => e.transactionHash === tx.hash));
});

test("events by polling filter (eth_newFilter / eth_getFilterChanges)", async () => {
  const to = ethers.Wallet.createRandom().address;
  const seen = new Promise((resolve) => {
    // With a filter object, ethers passes the event payload (decoded args inside) last.
    token.once(token.filters.Transfer(null, to), (...a) => resolve(a[a.length - 1].args.value));
  });
  await new Promise((r) => setTimeout(r, 300));
  await (await token.transfer(to, 7n)).wait();
  assert.equal(await seen, 7n);
});

test("events over a WebSocket subscription (eth_subscribe logs and newHeads)", async () => {
  ws = new ethers.WebSocketProvider(url.replace("http", "ws"));
  const wsToken = token.connect(ws);
  const to = ethers.Wallet.createRandom().address;
  const gotLog = new Promise((resolve) =>
    wsToken.once(wsToken.filters.Transfer(null, to), (...a) => resolve(a[a.length - 1].args.value)),
  );
  const gotBlock = new Promise((resolve) => ws.once("block", (n) => resolve(n)));
  await new Promise((r) => setTimeout(r, 300));
  const tx = await token.transfer(to, 11n);
  const receipt = await tx.wait();
  assert.equal(await gotLog, 11n);
  assert.ok((await gotBlock) >= receipt.blockNumber - 1);
});

test("custom error decoded from a failed call", async () => {
  const poor = token.connect(alice);
  await assert.rejects(poor.transfer.staticCall(await owner.getAddress(), ethers.parseEther("1000000")), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION");
    assert.equal(e.revert?.name, "ERC20InsufficientBalance");
    assert.equal(e.revert.args[2], ethers.parseEther("1000000"));
    return true;
  });
  // A transaction (not a static call): ethers leaves the decoding to the contract's interface.
  await assert.rejects(token.mint(await alice.getAddress(), ethers.parseEther("5000")), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION");
    const err = token.interface.parseError(e.data);
    assert.equal(err.name, "MintCapExceeded");
    assert.equal(err.args.requested, ethers.parseEther("5000"));
    return true;
  });
});

test("estimateGas is exact: one gas less fails", async () => {
  const to = await alice.getAddress();
  const data = token.interface.encodeFunctionData("transfer", [to, 1n]);
  const from = await owner.getAddress();
  const gas = await provider.estimateGas({ from, to: await token.getAddress(), data });
  assert.ok(gas > 21000n);
  await assert.rejects(provider.call({ from, to: await token.getAddress(), data, gasLimit: gas - 1n }));
  const receipt = await (await token.transfer(to, 1n, { gasLimit: gas })).wait();
  assert.equal(receipt.status, 1);
});

test("snapshot and revert", async () => {
  const to = await alice.getAddress();
  const before = await token.balanceOf(to);
  const head = async () => Number(await provider.send("eth_blockNumber", []));
  const block = await head();
  const id = await provider.send("evm_snapshot", []);
  await (await token.transfer(to, 123n)).wait();
  assert.equal(await token.balanceOf(to), before + 123n);
  assert.equal(await provider.send("evm_revert", [id]), true);
  assert.equal(await token.balanceOf(to), before);
  assert.equal(await head(), block);
});

test("signed EIP-1559 transaction from a fresh wallet (eth_sendRawTransaction)", async () => {
  const fresh = ethers.Wallet.createRandom().connect(provider);
  await (await owner.sendTransaction({ to: fresh.address, value: ethers.parseEther("1") })).wait();
  const dest = ethers.Wallet.createRandom().address;
  const tx = await fresh.sendTransaction({ to: dest, value: 12345n });
  assert.equal(tx.type, 2);
  const receipt = await tx.wait();
  assert.equal(receipt.from, fresh.address);
  assert.equal(await provider.getBalance(dest), 12345n);
  const got = await provider.getTransaction(tx.hash);
  assert.equal(got.from, fresh.address);
  assert.equal(got.nonce, 0);
  // A replay is refused.
  await assert.rejects(provider.broadcastTransaction(tx.serialized));
});

test("debug_traceTransaction: struct logs and callTracer", async () => {
  const tx = await token.transfer(await alice.getAddress(), 2n);
  const receipt = await tx.wait();
  const trace = await provider.send("debug_traceTransaction", [tx.hash]);
  assert.equal(trace.failed, false);
  assert.equal(BigInt(trace.gas), receipt.gasUsed);
  assert.ok(trace.structLogs.length > 50);
  assert.equal(trace.structLogs[0].op, "PUSH1");
  assert.ok(trace.structLogs.some((l) => l.op === "SSTORE"));
  const calls = await provider.send("debug_traceTransaction", [tx.hash, { tracer: "callTracer" }]);
  assert.equal(calls.type, "CALL");
  assert.equal(calls.to.toLowerCase(), (await token.getAddress()).toLowerCase());
  assert.equal(BigInt(calls.gasUsed), receipt.gasUsed);
});

test("JSON-RPC errors: unknown method, malformed JSON, nonce too low", async () => {
  const raw = async (body) => {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return r.json();
  };
  assert.equal((await raw('{"jsonrpc":"2.0","id":1,"method":"eth_nope","params":[]}')).error.code, -32601);
  assert.equal((await raw("{not json")).error.code, -32700);
  const from = await owner.getAddress();
  const res = await raw(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_sendTransaction", params: [{ from, to: from, value: "0x1", nonce: "0x0" }] }));
  assert.match(res.error.message, /nonce too low/);
  assert.equal(await provider.getBlockNumber() >= 1, true);
});

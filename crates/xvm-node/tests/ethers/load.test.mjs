// Load: 16 concurrent clients, each with its own funded wallet, send transfers and calls for a
// bounded time. Afterwards no transaction is lost or duplicated, every nonce and balance adds up,
// and the node still answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ethers } from "ethers";

const url = process.env.XVM_RPC_URL;
const CLIENTS = 16;
const SECONDS = Number(process.env.XVM_LOAD_SECONDS || 5);

test(`${CLIENTS} concurrent clients for ${SECONDS} s: nothing lost, nonces and balances consistent`, async () => {
  const provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50, batchMaxCount: 1 });
  const funder = await provider.getSigner(0);
  const wallets = Array.from({ length: CLIENTS }, () => ethers.Wallet.createRandom().connect(provider));
  for (const w of wallets) {
    await (await funder.sendTransaction({ to: w.address, value: ethers.parseEther("10") })).wait();
  }
  const sink = ethers.Wallet.createRandom().address;
  const { chainId } = await provider.getNetwork();
  const feeData = await provider.getFeeData();
  const deadline = Date.now() + SECONDS * 1000;
  const sent = await Promise.all(
    wallets.map(async (w, i) => {
      const hashes = [];
      let nonce = 0;
      let calls = 0;
      while (Date.now() < deadline) {
        const signed = await w.signTransaction({
          type: 2, chainId, nonce, to: sink, value: BigInt(i + 1), gasLimit: 21000n,
          maxFeePerGas: feeData.maxFeePerGas * 4n, maxPriorityFeePerGas: feeData.maxPriorityFeePerGas,
        });
        hashes.push(await provider.send("eth_sendRawTransaction", [signed]));
        nonce += 1;
        // A call between transactions: the balance as of now.
        await provider.send("eth_getBalance", [w.address, "latest"]);
        calls += 1;
      }
      return { w, hashes, calls };
    }),
  );
  let total = 0n;
  let count = 0;
  const all = new Set();
  for (const { w, hashes, calls } of sent) {
    assert.ok(calls > 0);
    for (const h of hashes) {
      assert.ok(!all.has(h), `duplicate transaction ${h}`);
      all.add(h);
      const r = await provider.getTransactionReceipt(h);
      assert.ok(r, `transaction ${h} lost`);
      assert.equal(r.status, 1);
    }
    assert.equal(await provider.getTransactionCount(w.address, "latest"), hashes.length);
    count += hashes.length;
  }
  for (const [i, { hashes }] of sent.entries()) total += BigInt(i + 1) * BigInt(hashes.length);
  assert.equal(await provider.getBalance(sink), total);
  assert.ok(count >= CLIENTS, `only ${count} transactions`);
  console.log(`# load: ${count} transactions from ${CLIENTS} clients in ${SECONDS} s (${(count / SECONDS).toFixed(0)}/s)`);
  assert.equal(Number(await provider.send("eth_chainId", [])), 31337);
  provider.destroy();
});

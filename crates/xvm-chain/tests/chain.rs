//! The local chain end to end on a real store: the example ERC20 (OpenZeppelin, compiled by
//! solc) deployed, transferred, approved and transferFrom'd, events and custom errors decoded,
//! exact gas estimates, state that survives reopening with a state root that matches the head,
//! and a writer killed mid-block.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, Bytes, U256};
use xvm_chain::{
    abi, artifact, CallRequest, Chain, ChainError, ContractInfo, GenesisOptions, TxRequest,
};
use xvm_evm::StatusCode;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/evm/build")
}

fn token_artifact() -> artifact::Artifact {
    let text = std::fs::read_to_string(examples().join("XvmToken.json")).unwrap();
    artifact::parse(&text, None).unwrap()
}

fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

struct Token {
    addr: Address,
    abi: JsonAbi,
}

impl Token {
    fn data(&self, method: &str, args: &[&str]) -> Bytes {
        let f = abi::resolve_function(Some(&self.abi), method, args.len()).unwrap();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        abi::encode_call(&f, &abi::parse_args(&f.inputs, &args).unwrap()).unwrap()
    }

    fn view(&self, chain: &Chain, method: &str, args: &[&str]) -> Vec<DynSolValue> {
        let f = abi::resolve_function(Some(&self.abi), method, args.len()).unwrap();
        let req = CallRequest {
            to: Some(self.addr),
            data: self.data(method, args),
            ..Default::default()
        };
        let r = chain.call(&req, None).unwrap();
        assert_eq!(r.status, StatusCode::Success);
        abi::decode_output(&f, &r.output).unwrap()
    }

    fn balance(&self, chain: &Chain, who: Address) -> U256 {
        match &self.view(chain, "balanceOf", &[&who.to_string()])[0] {
            DynSolValue::Uint(v, _) => *v,
            other => panic!("{other:?}"),
        }
    }
}

fn deploy_token(chain: &mut Chain) -> Token {
    let art = token_artifact();
    let json_abi = abi::parse_abi(art.abi.as_ref().unwrap()).unwrap();
    let data = abi::constructor_data(
        Some(&json_abi),
        &art.bytecode,
        &["1000ether".into(), "2000ether".into()],
    )
    .unwrap();
    let from = chain.accounts()[0].address;
    let info = ContractInfo {
        name: art.name.clone(),
        abi: art.abi.clone(),
    };
    let m = chain
        .send(
            &TxRequest {
                from,
                to: None,
                data,
                ..Default::default()
            },
            Some(&info),
            None,
        )
        .unwrap();
    assert!(m.tx.status);
    let addr = m.tx.contract_address.unwrap();
    // Hardhat's and anvil's first deployment from account 0 lands here too.
    assert_eq!(
        addr.to_checksum(None),
        "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    );
    assert_eq!(chain.contract(&addr).unwrap().unwrap(), info);
    Token {
        addr,
        abi: json_abi,
    }
}

/// Recomputes the state root from what a fresh open loaded and compares it with the head's.
fn assert_root_matches(dir: &Path) -> u64 {
    let chain = Chain::open(dir, &GenesisOptions::default()).unwrap();
    let head = chain.head().clone();
    let root = chain.state_root();
    assert_eq!(
        root, head.state_root,
        "loaded state disagrees with head {}",
        head.number
    );
    head.number
}

#[test]
fn erc20_flow_events_errors_and_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    let [a0, a1, a2] = [0, 1, 2].map(|i| chain.accounts()[i].address);
    let t = deploy_token(&mut chain);
    assert_eq!(t.balance(&chain, a0), ether(1000));

    // transfer with an exact estimate: one gas less fails.
    let data = t.data("transfer", &[&a1.to_string(), "5ether"]);
    let req = CallRequest {
        from: Some(a0),
        to: Some(t.addr),
        data: data.clone(),
        ..Default::default()
    };
    let gas = chain.estimate_gas(&req).unwrap();
    let below = chain
        .call(
            &CallRequest {
                gas: Some(gas - 1),
                ..req.clone()
            },
            None,
        )
        .unwrap();
    assert_ne!(below.status, StatusCode::Success);
    let m = chain
        .send(
            &TxRequest {
                from: a0,
                to: Some(t.addr),
                data,
                gas: Some(gas),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert!(m.tx.status);
    assert_eq!(m.block.number, 2);
    assert_eq!(m.tx.logs.len(), 1);
    let ev = abi::decode_log(&t.abi, &m.tx.logs[0].topics, &m.tx.logs[0].data).unwrap();
    assert_eq!(
        ev,
        format!(
            "Transfer(from: {}, to: {}, value: {})",
            a0.to_checksum(None),
            a1.to_checksum(None),
            ether(5)
        )
    );
    assert_eq!(t.balance(&chain, a1), ether(5));

    // approve + transferFrom.
    let m = chain
        .send(
            &TxRequest {
                from: a1,
                to: Some(t.addr),
                data: t.data("approve", &[&a2.to_string(), "2ether"]),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert!(
        abi::decode_log(&t.abi, &m.tx.logs[0].topics, &m.tx.logs[0].data)
            .unwrap()
            .starts_with("Approval(owner: ")
    );
    let m = chain
        .send(
            &TxRequest {
                from: a2,
                to: Some(t.addr),
                data: t.data(
                    "transferFrom",
                    &[&a1.to_string(), &a2.to_string(), "2ether"],
                ),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert!(m.tx.status);
    assert_eq!(t.balance(&chain, a1), ether(3));
    assert_eq!(t.balance(&chain, a2), ether(2));
    assert_eq!(
        t.view(&chain, "allowance", &[&a1.to_string(), &a2.to_string()])[0],
        DynSolValue::Uint(U256::ZERO, 256)
    );

    // A failing transfer: the estimate refuses it with the custom error; mined with a gas
    // limit it fails with the same revert data.
    let bad = t.data("transfer", &[&a0.to_string(), "4ether"]);
    let err = chain
        .estimate_gas(&CallRequest {
            from: Some(a1),
            to: Some(t.addr),
            data: bad.clone(),
            ..Default::default()
        })
        .unwrap_err();
    let ChainError::EstimateFailed { output, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(
        abi::decode_revert(Some(&t.abi), &output),
        format!(
            "ERC20InsufficientBalance(sender: {}, balance: {}, needed: {})",
            a1.to_checksum(None),
            ether(3),
            ether(4)
        )
    );
    let m = chain
        .send(
            &TxRequest {
                from: a1,
                to: Some(t.addr),
                data: bad,
                gas: Some(100_000),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert!(!m.tx.status);
    assert_eq!(m.status, StatusCode::Revert);
    assert_eq!(m.tx.output, output);
    assert!(m.tx.logs.is_empty());
    // A custom error of the contract itself, and Ownable's.
    let mint = t.data("mint", &[&a1.to_string(), "1500ether"]);
    let e = chain
        .estimate_gas(&CallRequest {
            from: Some(a0),
            to: Some(t.addr),
            data: mint,
            ..Default::default()
        })
        .unwrap_err();
    let ChainError::EstimateFailed { output, .. } = e else {
        panic!()
    };
    assert_eq!(
        abi::decode_revert(Some(&t.abi), &output),
        format!(
            "MintCapExceeded(requested: {}, remaining: {})",
            ether(1500),
            ether(1000)
        )
    );

    // Gas was paid: the sender's ether went down by exactly gas used * price of each tx.
    let head = chain.head().number;
    let mut spent = U256::ZERO;
    for n in 1..=head {
        let b = chain.block(n).unwrap().unwrap();
        let tx = chain.transaction(&b.transactions[0]).unwrap().unwrap();
        assert_eq!(tx.block_hash, b.hash);
        if tx.from == a1 {
            spent += U256::from(tx.gas_used) * U256::from(tx.effective_gas_price);
        }
    }
    assert_eq!(chain.account(&a1).balance, ether(10_000) - spent);
    drop(chain);

    // Everything is still there in a new open, and the stored root matches the loaded state.
    assert_eq!(assert_root_matches(dir.path()), head);
    let chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    assert_eq!(t.balance(&chain, a2), ether(2));
    assert_eq!(chain.account(&a1).nonce, 2);
    // Block hashes chain up and BLOCKHASH sees them.
    let b2 = chain.block(2).unwrap().unwrap();
    assert_eq!(chain.block(3).unwrap().unwrap().parent_hash, b2.hash);
    assert_eq!(chain.block_by_hash(&b2.hash).unwrap().unwrap(), b2);
    // BLOCKHASH(2) from a contract whose code is
    // PUSH1 2 BLOCKHASH PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN, deployed by a copying init code.
    let mut chain = chain;
    let runtime = [0x60, 2, 0x40, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3];
    let mut init = vec![0x60, 11, 0x60, 12, 0x60, 0, 0x39, 0x60, 11, 0x60, 0, 0xf3];
    init.extend_from_slice(&runtime);
    let m = chain
        .send(
            &TxRequest {
                from: a0,
                data: init.into(),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    let reader = m.tx.contract_address.unwrap();
    assert_eq!(chain.account(&reader).code.as_ref(), &runtime);
    let r = chain
        .call(
            &CallRequest {
                to: Some(reader),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert_eq!(r.output.as_ref(), b2.hash.as_slice());
}

#[test]
fn rejected_transactions_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    let a0 = chain.accounts()[0].address;
    let stranger = Address::repeat_byte(0x42);
    let e = chain
        .send(
            &TxRequest {
                from: stranger,
                to: Some(a0),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap_err();
    assert!(matches!(e, ChainError::Locked(_)));
    let e = chain
        .send(
            &TxRequest {
                from: a0,
                to: Some(stranger),
                value: ether(1_000_000),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("insufficient funds"), "{e}");
    let e = chain
        .send(
            &TxRequest {
                from: a0,
                to: Some(stranger),
                gas: Some(20_000),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("intrinsic"), "{e}");
    assert!(chain.send_raw(&[0x02, 0xc0], None).is_err());
    assert_eq!(chain.head().number, 0);
    assert_eq!(chain.account(&a0).nonce, 0);
    let m = chain
        .send(
            &TxRequest {
                from: a0,
                to: Some(stranger),
                value: U256::from(7u64),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert_eq!(m.tx.gas_used, 21_000);
    // The same signed bytes again are refused (already mined), and a stale nonce too.
    let raw = m.tx.raw.clone();
    assert!(chain
        .send_raw(&raw, None)
        .unwrap_err()
        .to_string()
        .contains("already mined"));
    assert_eq!(chain.account(&stranger).balance, U256::from(7u64));
}

#[test]
fn fork_is_fixed_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let g = GenesisOptions {
        revision: xvm_evm::Revision::Cancun,
        ..Default::default()
    };
    let mut chain = Chain::open(dir.path(), &g).unwrap();
    let a0 = chain.accounts()[0].address;
    chain
        .send(
            &TxRequest {
                from: a0,
                to: Some(Address::ZERO),
                value: U256::from(1u64),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    drop(chain);
    let chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    assert_eq!(chain.revision(), xvm_evm::Revision::Cancun);
    assert_eq!(chain.state_root(), chain.head().state_root);
}

/// The child half of the kill test: sends transfers forever.
#[test]
fn kill_child_chain_writer() {
    let Some(dir) = std::env::var_os("XVM_CHAIN_KILL_CHILD") else {
        return;
    };
    let mut chain = Chain::open(Path::new(&dir), &GenesisOptions::default()).unwrap();
    println!("ready");
    let accounts: Vec<Address> = chain.accounts().iter().map(|a| a.address).collect();
    let mut i = 0usize;
    loop {
        let from = accounts[i % accounts.len()];
        let to = Address::with_last_byte((i % 200) as u8 + 1);
        chain
            .send(
                &TxRequest {
                    from,
                    to: Some(to),
                    value: U256::from(1000 + i as u64),
                    gas: Some(21_000),
                    ..Default::default()
                },
                None,
                None,
            )
            .unwrap();
        i += 1;
    }
}

#[test]
fn writer_killed_at_random_points_leaves_whole_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut last = 0;
    for round in 0..6 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "kill_child_chain_writer",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("XVM_CHAIN_KILL_CHILD", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        for line in std::io::BufRead::lines(out) {
            if line.unwrap().contains("ready") {
                break;
            }
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(30 + seed % 250));
        child.kill().unwrap();
        child.wait().unwrap();
        // Opens, blocks are whole (one transaction each, all recorded), root matches.
        let n = assert_root_matches(dir.path());
        let chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
        let nonces: u64 = chain
            .accounts()
            .iter()
            .map(|a| chain.account(&a.address).nonce)
            .sum();
        assert_eq!(
            nonces, n,
            "round {round}: {n} blocks but {nonces} transactions"
        );
        for b in 1..=n {
            let block = chain.block(b).unwrap().unwrap();
            assert!(chain.transaction(&block.transactions[0]).unwrap().is_some());
        }
        assert!(n >= last);
        last = n;
    }
    assert!(last > 0, "the writer never mined a block");
}

/// Signed transactions of every type a wallet sends (legacy with EIP-155, EIP-2930, EIP-1559,
/// EIP-7702) go through `send_raw`: sender recovered from the signature, mined, typed receipts.
#[test]
fn raw_transactions_of_every_type() {
    use alloy_consensus::{
        SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy,
    };
    use alloy_eips::eip2718::Encodable2718;
    use alloy_eips::eip2930::{AccessList, AccessListItem};
    use alloy_eips::eip7702::Authorization;
    use alloy_primitives::{TxKind, B256};
    use alloy_signer::SignerSync;

    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    let acc = chain.accounts()[3].clone();
    let signer = acc.signer();
    let to = Address::repeat_byte(0x77);
    let price = 10_000_000_000u128;
    let sign = |hash: B256| signer.sign_hash_sync(&hash).unwrap();

    let legacy = TxLegacy {
        chain_id: Some(31337),
        nonce: 0,
        gas_price: price,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1u64),
        input: Bytes::new(),
    };
    let env: TxEnvelope = {
        let s = sign(legacy.signature_hash());
        legacy.into_signed(s).into()
    };
    let m = chain.send_raw(&env.encoded_2718(), None).unwrap();
    assert_eq!((m.tx.ty, m.tx.from, m.tx.status), (0, acc.address, true));

    let al = AccessList(vec![AccessListItem {
        address: to,
        storage_keys: vec![B256::ZERO],
    }]);
    let t2930 = TxEip2930 {
        chain_id: 31337,
        nonce: 1,
        gas_price: price,
        gas_limit: 30_000,
        to: TxKind::Call(to),
        value: U256::from(2u64),
        access_list: al,
        input: Bytes::new(),
    };
    let env: TxEnvelope = {
        let s = sign(t2930.signature_hash());
        t2930.into_signed(s).into()
    };
    let m = chain.send_raw(&env.encoded_2718(), None).unwrap();
    // 21000 + 2400 per address + 1900 per key.
    assert_eq!((m.tx.ty, m.tx.gas_used), (1, 21_000 + 2_400 + 1_900));

    let t1559 = TxEip1559 {
        chain_id: 31337,
        nonce: 2,
        gas_limit: 21_000,
        max_fee_per_gas: price,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(to),
        value: U256::from(3u64),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let env: TxEnvelope = {
        let s = sign(t1559.signature_hash());
        t1559.into_signed(s).into()
    };
    let m = chain.send_raw(&env.encoded_2718(), None).unwrap();
    assert_eq!(m.tx.ty, 2);
    assert_eq!(
        m.tx.effective_gas_price,
        chain
            .block(m.block.number)
            .unwrap()
            .unwrap()
            .base_fee_per_gas as u128
            + 1
    );

    // EIP-7702: account 4 delegates to a contract; its code becomes the designator.
    let delegator = chain.accounts()[4].clone();
    let auth = Authorization {
        chain_id: U256::from(31337u64),
        address: to,
        nonce: 0,
    };
    let auth_sig = delegator
        .signer()
        .sign_hash_sync(&auth.signature_hash())
        .unwrap();
    let t7702 = TxEip7702 {
        chain_id: 31337,
        nonce: 3,
        gas_limit: 100_000,
        max_fee_per_gas: price,
        max_priority_fee_per_gas: 1,
        to: delegator.address,
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list: vec![auth.into_signed(auth_sig)],
        input: Bytes::new(),
    };
    let env: TxEnvelope = {
        let s = sign(t7702.signature_hash());
        t7702.into_signed(s).into()
    };
    let m = chain.send_raw(&env.encoded_2718(), None).unwrap();
    assert_eq!((m.tx.ty, m.tx.status), (4, true));
    let code = chain.account(&delegator.address).code;
    assert_eq!(&code[..3], &[0xef, 0x01, 0x00]);
    assert_eq!(&code[3..], to.as_slice());
    assert_eq!(chain.account(&delegator.address).nonce, 1);

    assert_eq!(chain.account(&to).balance, U256::from(6u64));
    assert_eq!(chain.account(&acc.address).nonce, 4);
    // A signature for another chain is refused.
    let other = TxLegacy {
        chain_id: Some(1),
        nonce: 4,
        gas_price: price,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::ZERO,
        input: Bytes::new(),
    };
    let env: TxEnvelope = {
        let s = sign(other.signature_hash());
        other.into_signed(s).into()
    };
    assert!(chain
        .send_raw(&env.encoded_2718(), None)
        .unwrap_err()
        .to_string()
        .contains("chain id 1"));
    assert_eq!(chain.state_root(), chain.head().state_root);
}

/// The state root of every block is kept incrementally (only the accounts a block touched are
/// re-hashed). Checked against a root computed from the whole state after every block, with
/// dev edits, new and emptied (EIP-161 deleted) accounts, empty blocks and a revert in between.
#[test]
fn incremental_state_root_matches_full_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    let [a0, a1] = [0, 1].map(|i| chain.accounts()[i].address);
    let t = deploy_token(&mut chain);
    let check = |chain: &Chain, what: &str| {
        assert_eq!(
            chain.state_root(),
            chain.head().state_root,
            "{what}: block {}",
            chain.head().number
        );
    };
    check(&chain, "deploy");
    let mut snap = None;
    for i in 1..=40u64 {
        let fresh = Address::with_last_byte(0x40 + i as u8);
        let req = match i % 4 {
            // A token transfer: the sender, the token's storage and the fee recipient change.
            0 | 1 => TxRequest {
                from: a0,
                to: Some(t.addr),
                data: t.data("transfer", &[&fresh.to_string(), "1"]),
                ..Default::default()
            },
            // Ether to a new account.
            2 => TxRequest {
                from: a1,
                to: Some(fresh),
                value: U256::from(i),
                ..Default::default()
            },
            // Zero ether to an account a dev edit made empty: EIP-161 deletes it.
            _ => {
                chain.set_balance(&fresh, U256::ZERO).unwrap();
                TxRequest {
                    from: a1,
                    to: Some(fresh),
                    ..Default::default()
                }
            }
        };
        chain.send(&req, None, None).unwrap();
        check(&chain, "transaction");
        if i % 3 == 0 {
            chain.set_balance(&a1, ether(5_000 + i)).unwrap();
            chain.set_nonce(&fresh, 7).unwrap();
            chain
                .set_storage(&t.addr, U256::from(1000 + i), U256::from(i))
                .unwrap();
            chain.mine(Vec::new(), false).unwrap();
            check(&chain, "dev edits");
        }
        if i == 10 {
            snap = Some(chain.snapshot());
        }
        if i == 25 {
            chain.revert(snap.as_ref().unwrap()).unwrap();
            chain.mine(Vec::new(), false).unwrap();
            check(&chain, "revert");
        }
    }
    drop(chain);
    assert_root_matches(dir.path());
}

/// `Chain::validate` refuses exactly what mining would refuse (so that a node may answer a
/// validated transaction before mining it), keeps the recovered sender, and what it accepts
/// mines.
#[test]
fn validate_refuses_what_mining_refuses() {
    use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
    use alloy_primitives::TxKind;
    use alloy_signer::SignerSync;
    use xvm_chain::PendingTx;

    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
    let acc = chain.accounts()[4].clone();
    let signer = acc.signer();
    let fee = chain.next_base_fee() as u128 * 2 + 1_000_000_000;
    let tx = |nonce: u64, chain_id: u64, gas_limit: u64, value: U256| -> TxEnvelope {
        let t = TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: 1_000_000_000,
            to: TxKind::Call(Address::repeat_byte(0x55)),
            value,
            access_list: Default::default(),
            input: Bytes::new(),
        };
        let sig = signer.sign_hash_sync(&t.signature_hash()).unwrap();
        t.into_signed(sig).into()
    };
    let refused = [
        tx(1, 31337, 21_000, U256::ZERO),            // nonce too high
        tx(0, 1, 21_000, U256::ZERO),                // another chain
        tx(0, 31337, 20_000, U256::ZERO),            // intrinsic gas too low
        tx(0, 31337, 21_000, ether(1_000_000)),      // insufficient funds
        tx(0, 31337, 1_000_000_000_000, U256::ZERO), // above the block gas limit
    ];
    for env in refused {
        let mut p = PendingTx::signed(env.clone());
        let v = chain.validate(&mut p).unwrap_err().to_string();
        let m = chain.submit(env, None, None).unwrap_err().to_string();
        assert_eq!(v, m);
    }
    let head = chain.head().number;
    let good = tx(0, 31337, 21_000, U256::from(7u64));
    let mut p = PendingTx::signed(good.clone());
    chain.validate(&mut p).unwrap();
    assert_eq!(p.sender, Some(acc.address));
    let mined = chain.submit_pending(p).unwrap();
    assert_eq!((mined.tx.from, mined.tx.status), (acc.address, true));
    assert_eq!(chain.head().number, head + 1);
    // Mined once: validating it again refuses it as mining would.
    let mut again = PendingTx::signed(good.clone());
    let v = chain.validate(&mut again).unwrap_err().to_string();
    let m = chain.submit(good, None, None).unwrap_err().to_string();
    assert_eq!(v, m);
    assert_eq!(chain.state_root(), chain.head().state_root);
}

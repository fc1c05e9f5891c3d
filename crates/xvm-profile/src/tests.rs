use super::*;

fn sample() -> Profile {
    let mut p = Profile::new("transfer on Token", "gas");
    p.add(&[Frame::other("[intrinsic]")], 21_000);
    let base = [Frame::contract("Token"), Frame::function("transfer")];
    for (op, gas) in [("PUSH1", 3), ("SSTORE", 20_000), ("PUSH1", 3)] {
        let mut s = base.to_vec();
        s.push(Frame::opcode(op));
        p.add(&s, gas);
    }
    p.add(
        &[
            Frame::contract("Token"),
            Frame::function("transfer"),
            Frame::contract("Hook"),
            Frame::function("0x12345678"),
            Frame::opcode("SLOAD"),
        ],
        2_100,
    );
    p.set_refund(4_800);
    p
}

#[test]
fn totals_and_groups() {
    let p = sample();
    assert_eq!(p.gross(), 21_000 + 20_006 + 2_100);
    assert_eq!(p.net(), p.gross() - 4_800);
    let contracts = p.rows(FrameKind::Contract);
    assert_eq!(
        contracts,
        vec![
            Row {
                name: "[intrinsic]".into(),
                gas: 21_000,
                count: 1
            },
            Row {
                name: "Token".into(),
                gas: 20_006,
                count: 3
            },
            Row {
                name: "Hook".into(),
                gas: 2_100,
                count: 1
            },
        ]
    );
    let functions = p.rows(FrameKind::Function);
    assert_eq!(functions[1].name, "Token.transfer");
    assert_eq!(functions[2].name, "Hook.0x12345678");
    let ops = p.rows(FrameKind::Opcode);
    assert_eq!(
        ops[0],
        Row {
            name: "[intrinsic]".into(),
            gas: 21_000,
            count: 1
        }
    );
    assert_eq!(
        ops[1],
        Row {
            name: "SSTORE".into(),
            gas: 20_000,
            count: 1
        }
    );
    assert_eq!(ops.iter().find(|r| r.name == "PUSH1").unwrap().count, 2);
}

#[test]
fn folded_sums_to_gross() {
    let p = sample();
    let folded = p.folded();
    let sum: u64 = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, p.gross());
    assert!(folded.contains("Token;transfer;PUSH1 6\n"));
    assert!(folded.contains("Token;transfer;Hook;0x12345678;SLOAD 2100\n"));
}

#[test]
fn table_prints_the_identity() {
    let t = sample().table(10);
    assert!(
        t.contains("used 38306 gas = gross 43106 - refund 4800"),
        "{t}"
    );
    assert!(
        t.ends_with("total 43106 gas\nrefund -4800 gas\nused 38306 gas\n"),
        "{t}"
    );
    assert!(t.contains("per opcode"));
    let cut = sample().table(1);
    assert!(cut.contains("(2 more)"), "{cut}");
}

#[test]
fn svg_is_xml_with_totals() {
    let svg = sample().svg().unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, opts).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    assert!(
        texts.iter().any(|t| t == "all (43,106 gas, 100%)"),
        "{texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t == "used 38306 gas = gross 43106 - refund 4800"));
    assert!(Profile::new("x", "gas").svg().is_err());
}

#[test]
fn separators_are_escaped() {
    let f = Frame::function("a;b\nc");
    assert_eq!(f.name, "a:b c");
}

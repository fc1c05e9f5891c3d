//! The profile as a text table, grouped per contract, function, line and opcode.

use crate::{Cost, FrameKind, Profile};
use std::collections::HashMap;
use std::fmt::Write as _;

/// One row of a table section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The group's name (`Contract`, `Contract.function`, `SSTORE`).
    pub name: String,
    /// Gas charged to the group.
    pub gas: u64,
    /// Executions charged to the group.
    pub count: u64,
}

fn group_name(stack: &[crate::Frame], kind: FrameKind) -> Option<String> {
    let pos = stack.iter().rposition(|f| f.kind == kind)?;
    let own = &stack[pos].name;
    let contract = stack[..pos]
        .iter()
        .rev()
        .find(|f| f.kind == FrameKind::Contract)
        .map(|f| f.name.as_str());
    Some(match (kind, contract) {
        (FrameKind::Function, Some(c)) => format!("{c}.{own}"),
        _ => own.clone(),
    })
}

pub(crate) fn rows(p: &Profile, kind: FrameKind) -> Vec<Row> {
    let mut order: Vec<String> = Vec::new();
    let mut sums: HashMap<String, Cost> = HashMap::new();
    for (stack, cost) in p.stacks() {
        let name = group_name(stack, kind)
            .or_else(|| {
                let other = stack.iter().rev().find(|f| f.kind == FrameKind::Other);
                let contract = stack.iter().rev().find(|f| f.kind == FrameKind::Contract);
                other.or(contract).map(|f| f.name.clone())
            })
            .unwrap_or_else(|| "(none)".to_string());
        let e = sums.entry(name.clone()).or_insert_with(|| {
            order.push(name);
            Cost::default()
        });
        e.gas += cost.gas;
        e.count += cost.count;
    }
    let mut out: Vec<Row> = order
        .into_iter()
        .map(|name| {
            let c = sums[&name];
            Row {
                name,
                gas: c.gas,
                count: c.count,
            }
        })
        .collect();
    out.sort_by(|a, b| b.gas.cmp(&a.gas).then_with(|| a.name.cmp(&b.name)));
    out
}

fn section(out: &mut String, p: &Profile, title: &str, kind: FrameKind, top: usize) {
    let rows = rows(p, kind);
    let gross = p.gross().max(1);
    let width = rows
        .iter()
        .take(top)
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(title.len(), 60);
    let _ = writeln!(
        out,
        "\n{title:<width$}  {:>12}  {:>7}  {:>8}",
        p.unit, "share", "count"
    );
    for r in rows.iter().take(top) {
        let share = r.gas as f64 * 100.0 / gross as f64;
        let name: String = if r.name.chars().count() > width {
            let cut: String = r.name.chars().take(width - 1).collect();
            format!("{cut}…")
        } else {
            r.name.clone()
        };
        let _ = writeln!(
            out,
            "{name:<width$}  {:>12}  {share:>6.2}%  {:>8}",
            r.gas, r.count
        );
    }
    if rows.len() > top {
        let rest: u64 = rows.iter().skip(top).map(|r| r.gas).sum();
        let n = rows.len() - top;
        let _ = writeln!(out, "{:<width$}  {rest:>12}", format!("({n} more)"));
    }
}

pub(crate) fn render(p: &Profile, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "gas profile: {}", p.title);
    let _ = writeln!(out, "{}", p.totals_line());
    section(&mut out, p, "per contract", FrameKind::Contract, top);
    section(&mut out, p, "per function", FrameKind::Function, top);
    if p.stacks()
        .any(|(s, _)| s.iter().any(|f| f.kind == FrameKind::Line))
    {
        section(&mut out, p, "per source line", FrameKind::Line, top);
    }
    section(&mut out, p, "per opcode", FrameKind::Opcode, top);
    let u = &p.unit;
    let _ = writeln!(out, "\ntotal {} {u}", p.gross());
    if p.refund() > 0 {
        let _ = writeln!(out, "refund -{} {u}", p.refund());
    }
    let _ = writeln!(out, "used {} {u}", p.net());
    out
}

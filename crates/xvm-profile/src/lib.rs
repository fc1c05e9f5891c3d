//! VM-neutral gas profiles for xvm.
//!
//! A VM-specific tracer (the EVM's step hook, the NeoVM host's fee hook) attributes every unit
//! of gas it sees to a call stack of [`Frame`]s (contract, function, source line, opcode) with
//! [`Profile::add`]. The profile then renders:
//!
//! - a [`Profile::table`]: gas, share and count per contract, per function, per source line
//!   (when known) and per opcode;
//! - the folded-stack text ([`Profile::folded`]) that flame-graph tools read
//!   (`frame;frame;frame gas` per line);
//! - an interactive flame graph as SVG ([`Profile::svg`], drawn by `inferno`) whose header
//!   carries the totals.
//!
//! Totals: the flame graph and the folded lines add up to the **gross** gas (everything
//! charged while running, before refunds). A refund (EVM storage refunds) is kept apart with
//! [`Profile::set_refund`]; the gas the chain reports as used is `gross - refund`
//! ([`Profile::net`]), and the table and the SVG header print that identity.

#![deny(missing_docs)]

use std::collections::HashMap;
use std::fmt::Write as _;

mod table;

pub use table::Row;

/// What a frame of a gas stack stands for; the table groups by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FrameKind {
    /// A contract (its name, or its address or hash when unnamed).
    Contract,
    /// A function or method of the contract above it.
    Function,
    /// A source line (`file:line`).
    Line,
    /// The instruction that was charged (the leaf).
    Opcode,
    /// Anything else: intrinsic costs, a native contract's price, a precompile.
    Other,
}

/// One frame of a gas stack.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// What the frame stands for.
    pub kind: FrameKind,
    /// Its name as printed (`;` is replaced, since folded stacks use it as separator).
    pub name: String,
}

impl Frame {
    /// A frame of `kind` named `name`.
    pub fn new(kind: FrameKind, name: impl Into<String>) -> Frame {
        let name: String = name.into();
        Frame {
            kind,
            name: name.replace(';', ":").replace('\n', " "),
        }
    }
    /// A contract frame.
    pub fn contract(name: impl Into<String>) -> Frame {
        Frame::new(FrameKind::Contract, name)
    }
    /// A function frame.
    pub fn function(name: impl Into<String>) -> Frame {
        Frame::new(FrameKind::Function, name)
    }
    /// A source-line frame.
    pub fn line(name: impl Into<String>) -> Frame {
        Frame::new(FrameKind::Line, name)
    }
    /// An opcode frame.
    pub fn opcode(name: impl Into<String>) -> Frame {
        Frame::new(FrameKind::Opcode, name)
    }
    /// Any other frame (`[intrinsic]`, a native's price).
    pub fn other(name: impl Into<String>) -> Frame {
        Frame::new(FrameKind::Other, name)
    }
}

/// Gas and number of executions charged to one stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Gas units (datoshi for Neo).
    pub gas: u64,
    /// How many times gas was charged to this stack (instructions executed).
    pub count: u64,
}

/// A gas profile: gas attributed to distinct call stacks, in first-seen order.
#[derive(Clone, Debug)]
pub struct Profile {
    /// What was profiled, e.g. `transfer(address,uint256) on XvmToken`.
    pub title: String,
    /// The unit of gas, as printed (`gas`, `datoshi`).
    pub unit: String,
    stacks: Vec<(Vec<Frame>, Cost)>,
    index: HashMap<Vec<Frame>, usize>,
    refund: u64,
}

impl Profile {
    /// An empty profile.
    pub fn new(title: impl Into<String>, unit: impl Into<String>) -> Profile {
        Profile {
            title: title.into(),
            unit: unit.into(),
            stacks: Vec::new(),
            index: HashMap::new(),
            refund: 0,
        }
    }

    /// Charges `gas` to `stack` (outermost frame first) and counts one execution.
    pub fn add(&mut self, stack: &[Frame], gas: u64) {
        self.add_cost(stack, Cost { gas, count: 1 });
    }

    /// Charges `cost` to `stack`.
    pub fn add_cost(&mut self, stack: &[Frame], cost: Cost) {
        let i = match self.index.get(stack) {
            Some(&i) => i,
            None => {
                self.stacks.push((stack.to_vec(), Cost::default()));
                self.index.insert(stack.to_vec(), self.stacks.len() - 1);
                self.stacks.len() - 1
            }
        };
        let c = &mut self.stacks[i].1;
        c.gas += cost.gas;
        c.count += cost.count;
    }

    /// Sets the refund given back after execution (kept apart from the stacks).
    pub fn set_refund(&mut self, refund: u64) {
        self.refund = refund;
    }

    /// The refund.
    pub fn refund(&self) -> u64 {
        self.refund
    }

    /// All gas charged to stacks (before the refund).
    pub fn gross(&self) -> u64 {
        self.stacks.iter().map(|(_, c)| c.gas).sum()
    }

    /// Gross gas minus the refund: what the chain reports as gas used.
    pub fn net(&self) -> u64 {
        self.gross().saturating_sub(self.refund)
    }

    /// The distinct stacks with their costs, in first-seen order.
    pub fn stacks(&self) -> impl Iterator<Item = (&[Frame], Cost)> {
        self.stacks.iter().map(|(s, c)| (s.as_slice(), *c))
    }

    /// The folded-stack text (`frame;frame;frame gas` per line, stacks with no gas left out),
    /// as `inferno-flamegraph`, `flamegraph.pl` and speedscope read it.
    pub fn folded(&self) -> String {
        let mut out = String::new();
        for (stack, cost) in &self.stacks {
            if cost.gas == 0 || stack.is_empty() {
                continue;
            }
            let names: Vec<&str> = stack.iter().map(|f| f.name.as_str()).collect();
            let _ = writeln!(out, "{} {}", names.join(";"), cost.gas);
        }
        out
    }

    /// The header line with the totals: `used N gas = gross G - refund R`.
    pub fn totals_line(&self) -> String {
        format!(
            "used {} {} = gross {} - refund {}",
            self.net(),
            self.unit,
            self.gross(),
            self.refund
        )
    }

    /// The flame graph as SVG (interactive: hover titles, click to zoom, search). Its title
    /// names what was profiled; its subtitle carries [`Profile::totals_line`]; the root frame
    /// (`all`) is the gross gas.
    pub fn svg(&self) -> Result<String, String> {
        let folded = self.folded();
        let mut opt = inferno::flamegraph::Options::default();
        opt.title = format!("Gas profile: {}", self.title);
        opt.subtitle = Some(self.totals_line());
        opt.count_name = self.unit.clone();
        opt.name_type = "Frame:".to_string();
        opt.deterministic = true;
        opt.hash = true;
        opt.min_width = 0.0;
        let mut out = Vec::new();
        if folded.is_empty() {
            return Err("nothing was charged: the profile is empty".into());
        }
        inferno::flamegraph::from_lines(&mut opt, folded.lines(), &mut out)
            .map_err(|e| format!("flame graph: {e}"))?;
        String::from_utf8(out).map_err(|e| format!("flame graph: {e}"))
    }

    /// Rows of gas per group of `kind`: each stack's gas goes to its innermost frame of that
    /// kind, a function qualified by its contract (`Token.transfer`). Stacks without such a
    /// frame go to their innermost frame of kind [`FrameKind::Other`] (`[intrinsic]`), else
    /// to their innermost contract (`[entry script]`).
    /// Sorted by gas, largest first.
    pub fn rows(&self, kind: FrameKind) -> Vec<Row> {
        table::rows(self, kind)
    }

    /// The table: totals, then gas, share and count per contract, per function, per source
    /// line (if any stack has lines) and per opcode, each section cut to its `top` rows.
    pub fn table(&self, top: usize) -> String {
        table::render(self, top)
    }
}

#[cfg(test)]
mod tests;

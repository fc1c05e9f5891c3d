//! The command loop of `xvm evm debug` and `xvm neo debug`: line-oriented commands from a
//! terminal, standard input or a script file, and a stable text format for each stop so that
//! tests (and scripts) can read it.
//!
//! Commands: `step`/`s` (one instruction, into calls), `next`/`n` (step over calls), `out`/`o`
//! (run until the current frame returns), `continue`/`c` (run to the next breakpoint or the
//! end), `break`/`b SPEC` (a breakpoint: an offset, an opcode, a method, an EVM source line),
//! `stack`, `memory`, `storage`, `slots`, `where`/`w`, `help`, `quit`/`q`. Blank lines and `#`
//! comments are skipped. Each stop prints `stopped (REASON) at LOCATION`; the end prints the result.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// How far to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    /// One instruction, into calls.
    Step,
    /// One instruction, running any call it makes to its end.
    Next,
    /// Until the current frame returns to its caller.
    Out,
    /// Until a breakpoint or the end.
    Continue,
}

/// A VM's side of a debugging session.
pub trait Session {
    /// Runs by `motion`; returns why it stopped (`step`, `breakpoint N`, ...).
    fn motion(&mut self, motion: Motion) -> String;
    /// Whether the execution has ended.
    fn finished(&self) -> bool;
    /// The result, once finished (`HALT`, gas, output).
    fn summary(&self) -> String;
    /// Adds a breakpoint from its text; returns its description.
    fn add_break(&mut self, spec: &str) -> Result<String, String>;
    /// The current location on one line.
    fn location(&self) -> String;
    /// A view: `stack`, `memory`, `storage`, `slots`, `where`.
    fn show(&self, what: &str) -> Result<String, String>;
}

const HELP: &str =
    "commands: step|s, next|n, out|o, continue|c, break|b <offset|OPCODE|method|File.sol:LINE>, \
stack, memory, storage, slots, where|w, help, quit|q";

/// Runs the command loop over `input` until `quit` or its end. Commands are echoed as
/// `> COMMAND` unless the input is an interactive terminal (then a prompt is shown).
pub fn run(session: &mut dyn Session, input: Box<dyn BufRead>, interactive: bool) -> ExitCode {
    let out = std::io::stdout();
    let mut out = out.lock();
    let _ = writeln!(out, "at {}", session.location());
    let mut lines = input.lines();
    loop {
        if interactive {
            let _ = write!(out, "(xvm-debug) ");
            let _ = out.flush();
        }
        let Some(Ok(line)) = lines.next() else { break };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !interactive {
            let _ = writeln!(out, "> {line}");
        }
        let (cmd, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        let motion = match cmd {
            "s" | "step" => Some(Motion::Step),
            "n" | "next" => Some(Motion::Next),
            "o" | "out" | "finish" => Some(Motion::Out),
            "c" | "continue" => Some(Motion::Continue),
            _ => None,
        };
        if let Some(m) = motion {
            if session.finished() {
                let _ = writeln!(out, "the execution has ended: {}", session.summary());
                continue;
            }
            let reason = session.motion(m);
            if session.finished() {
                let _ = writeln!(out, "ended: {}", session.summary());
            } else {
                let _ = writeln!(out, "stopped ({reason}) at {}", session.location());
            }
            continue;
        }
        let text = match cmd {
            "b" | "break" => session.add_break(arg).map(|d| format!("breakpoint: {d}")),
            "w" | "where" => session.show("where"),
            "stack" | "memory" | "storage" | "slots" => session.show(cmd),
            "h" | "help" => Ok(HELP.to_string()),
            "q" | "quit" => break,
            other => Err(format!("unknown command '{other}' ({HELP})")),
        };
        match text {
            Ok(t) => {
                let _ = writeln!(out, "{}", t.trim_end());
            }
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
            }
        }
    }
    ExitCode::SUCCESS
}

/// The command source: `--script FILE`, else standard input (interactive on a terminal).
pub fn input(script: Option<&std::path::Path>) -> Result<(Box<dyn BufRead>, bool), String> {
    match script {
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok((Box::new(std::io::BufReader::new(f)), false))
        }
        None => {
            let tty = std::io::stdin().is_terminal();
            Ok((Box::new(std::io::stdin().lock()), tty))
        }
    }
}

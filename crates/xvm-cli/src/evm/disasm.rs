//! `xvm evm disasm`: one instruction per line.

use crate::input::{parse_hex, read_hex_file};
use crate::usage_error;
use clap::Args;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use xvm_evm::opcodes::{immediate_size, introduced_in, op_name};

/// Arguments of `xvm evm disasm`.
#[derive(Args)]
pub struct DisasmArgs {
    /// The bytecode, in hex.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    code: Option<String>,
    /// A file holding the bytecode in hex.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Disassembles `code`: `offset  MNEMONIC [0xdata]` per line. Undefined bytes are shown as
/// `UNDEFINED(0x..)`; a push cut short by the end of the code says how many bytes it has.
pub fn disassemble(code: &[u8]) -> String {
    let mut s = String::new();
    let mut pc = 0;
    while pc < code.len() {
        let b = code[pc];
        let _ = write!(s, "{pc:06x}  ");
        if introduced_in(b).is_none() {
            let _ = writeln!(s, "UNDEFINED(0x{b:02x})");
            pc += 1;
            continue;
        }
        let n = immediate_size(b);
        let name = op_name(b);
        if n == 0 {
            let _ = writeln!(s, "{name}");
        } else {
            let end = (pc + 1 + n).min(code.len());
            let data = &code[pc + 1..end];
            let _ = write!(s, "{name} 0x{}", hex::encode(data));
            if data.len() < n {
                let _ = write!(s, "  (truncated: {} of {n} bytes)", data.len());
            }
            s.push('\n');
        }
        pc += 1 + n;
    }
    s
}

/// Runs `xvm evm disasm`.
pub fn main(args: DisasmArgs) -> ExitCode {
    let code = match (&args.code, &args.file) {
        (Some(c), _) => parse_hex("code", c),
        (None, Some(f)) => read_hex_file("--file", f),
        (None, None) => Err("give the code in hex or --file FILE".to_string()),
    };
    match code {
        Ok(code) => {
            let _ = std::io::stdout()
                .lock()
                .write_all(disassemble(&code).as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembles_pushes_undefined_and_truncation() {
        let text = disassemble(&[0x60, 0x80, 0x0c, 0x01, 0xfe, 0x61, 0xff]);
        assert_eq!(
            text,
            "000000  PUSH1 0x80\n000002  UNDEFINED(0x0c)\n000003  ADD\n000004  INVALID\n000005  PUSH2 0xff  (truncated: 1 of 2 bytes)\n"
        );
        assert_eq!(disassemble(&[]), "");
    }
}

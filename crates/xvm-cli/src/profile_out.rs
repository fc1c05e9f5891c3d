//! Writing a profile's flame graph and folded stacks, shared by `xvm evm profile` and
//! `xvm neo profile`.

use std::path::Path;
use std::process::ExitCode;

use xvm_profile::Profile;

/// Writes the SVG and the folded stacks where asked; status 1 when a file cannot be written.
pub fn write_files(
    profile: &Profile,
    svg: Option<&Path>,
    folded: Option<&Path>,
) -> Result<ExitCode, ExitCode> {
    let fail = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(1)
    };
    if let Some(path) = folded {
        std::fs::write(path, profile.folded())
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        println!("folded stacks written to {}", path.display());
    }
    if let Some(path) = svg {
        let text = profile.svg().map_err(fail)?;
        std::fs::write(path, text)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        println!("flame graph written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `swapsim`: thin glue over [`swapsim_cli::main_with`].

use std::io::IsTerminal;
use std::process::ExitCode;

use swapsim_cli::Progress;

fn main() -> ExitCode {
    let stderr = std::io::stderr();
    let progress = if stderr.is_terminal() {
        Progress::Stderr
    } else {
        Progress::Hidden
    };
    let code = swapsim_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut stderr.lock(),
        progress,
    );
    ExitCode::from(code)
}

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
        // Not locked: the progress bars draw on stderr from their own thread.
        &mut std::io::stderr(),
        progress,
    );
    ExitCode::from(code)
}

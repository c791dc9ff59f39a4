//! The `tapewatch` binary: parse the command line and hand over to [`tapewatch::app`].
fn main() -> std::process::ExitCode {
    tapewatch::app::main()
}

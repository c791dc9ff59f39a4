//! The terminal's lifecycle for the TUI: raw mode, the alternate screen and mouse
//! capture on entry, and their restoration on every exit path, panics included (a
//! panic hook restores first, so the message lands on a usable screen).

use std::io;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set while the terminal is in raw mode + alternate screen; makes restoring idempotent
/// between the panic hook and the guard's Drop.
pub(super) static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set when a panic anywhere (e.g. another tokio task, which tokio survives) gave the
/// terminal back; the loop then stops instead of drawing over the panic message.
pub(super) static RESTORED_BY_PANIC: AtomicBool = AtomicBool::new(false);

type PanicHook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Puts the terminal into TUI mode and guarantees it is put back: on Drop (normal return,
/// error, unwinding) and from a panic hook that runs before the default hook prints, so
/// the panic message lands on a usable screen.
pub(super) struct TerminalGuard {
    previous_hook: Arc<PanicHook>,
}

impl TerminalGuard {
    pub(super) fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        let previous_hook: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous_hook);
        std::panic::set_hook(Box::new(move |info| {
            if restore_terminal() {
                RESTORED_BY_PANIC.store(true, Ordering::SeqCst);
            }
            chained(info);
        }));
        let guard = TerminalGuard { previous_hook };
        // From here on, any failure is undone by the guard's Drop.
        TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(
            io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            // Clearing here rather than with Terminal::clear avoids its cursor-position
            // query, which stalls on terminals that never answer it.
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
            crossterm::cursor::Hide
        )?;
        if mouse {
            crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
        }
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        // Hand panics back to the hook that was there before us. Swapping hooks while
        // unwinding would itself panic (and abort), so then ours stays: it is harmless
        // once the terminal is restored.
        if !std::thread::panicking() {
            let previous = Arc::clone(&self.previous_hook);
            let _ours = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// Leaves raw mode, mouse capture and the alternate screen; a no-op (returning false)
/// when already restored. Errors are ignored: this runs while exiting or panicking, with nowhere
/// better to report them.
fn restore_terminal() -> bool {
    let was_active = TERMINAL_ACTIVE.swap(false, Ordering::SeqCst);
    if was_active {
        let _ = crossterm::terminal::disable_raw_mode();
        // Mouse capture off whether or not it was on: a terminal left capturing turns
        // every click into escape codes in the shell.
        let _ = crossterm::execute!(
            io::stdout(),
            crossterm::event::DisableMouseCapture,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
    }
    was_active
}

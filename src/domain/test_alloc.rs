//! The library test binary's global allocator: it counts, per thread, allocations
//! and the bytes live now and at peak, so a test can measure what one call
//! allocated while other tests run on other threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Tracking;

#[global_allocator]
static TRACKING: Tracking = Tracking;

thread_local! {
    // Const-initialised with no destructor: reading them never allocates, so the
    // allocator can use them without recursing.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn counted() {
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
}

fn moved(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping touches only thread-local counters.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            moved(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted();
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            moved(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        moved(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            moved(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Allocations (and reallocations) made on this thread so far.
pub fn allocations() -> u64 {
    COUNT.with(Cell::get)
}

/// Runs `f` and returns its result with the most bytes it had allocated at once
/// on this thread (beyond what was live before it started).
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak)
}

#[test]
fn measures_what_a_call_allocates() {
    let ((), peak) = peak_during(|| drop(vec![0u8; 1 << 20]));
    assert!((1 << 20..(1 << 20) + 4096).contains(&peak), "{peak}");
    let ((), none) = peak_during(|| ());
    assert_eq!(none, 0);
}

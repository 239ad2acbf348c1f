//! The decoding budget: how much memory decoding one verified body may take.
//!
//! A small JSON text can stand for a large structure (`{}` is 2 bytes, a
//! decoded result several hundred), so decoding charges what it allocates
//! against a budget set from the body's length, and stops with an error once
//! it is spent. Only the crate's own judging sets a budget (one per body, on
//! the decoding thread); the public `Deserialize` impls decode without one.

use std::cell::Cell;

use serde::de;

thread_local! {
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The budget for a body of `len` bytes: the structures, strings and raw
/// values decoded from it may take three and a half times its length,
/// plus 48 KiB. Smile ID's own bodies take less than three (a 1,000-entry
/// history about 2.8); the rest is headroom, and what is not charged
/// (parser buffers, the fixed part of the result) stays within four.
pub(crate) fn for_body(len: usize) -> usize {
    len.saturating_mul(7).div_ceil(2).saturating_add(48 * 1024)
}

/// Runs `decode` with `bytes` of budget on this thread.
pub(crate) fn with<T>(bytes: usize, decode: impl FnOnce() -> T) -> T {
    struct Restore(Option<usize>);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT.set(self.0);
        }
    }
    let _restore = Restore(LEFT.replace(Some(bytes)));
    decode()
}

/// Takes `bytes` from the budget, or fails once it is spent.
pub(crate) fn charge<E: de::Error>(bytes: usize) -> Result<(), E> {
    match LEFT.get() {
        None => Ok(()),
        Some(left) => match left.checked_sub(bytes) {
            Some(rest) => {
                LEFT.set(Some(rest));
                Ok(())
            }
            None => {
                LEFT.set(Some(0));
                Err(E::custom(
                    "the body would take more than 3.5 times its length in memory to decode (too many fields or entries for its size)",
                ))
            }
        },
    }
}

/// For a string the parser had to unescape: its scratch buffer (which
/// grows by doubling) and the copy.
pub(crate) fn charge_unescaped<E: de::Error>(len: usize) -> Result<(), E> {
    charge(len.saturating_mul(5))
}

/// Copies a string the parser had to unescape, once charged.
pub(crate) fn copy_unescaped<E: de::Error>(text: &str) -> Result<String, E> {
    charge_unescaped(text.len())?;
    Ok(text.to_owned())
}

/// Keeps a string the parser had to unescape, once charged.
pub(crate) fn keep_unescaped<E: de::Error>(text: String) -> Result<String, E> {
    charge_unescaped(text.len())?;
    Ok(text)
}

/// Pushes onto a vector, charging each growth of its capacity (doubling,
/// from 8) before it happens.
pub(crate) fn push<T, E: de::Error>(items: &mut Vec<T>, item: T) -> Result<(), E> {
    if items.len() == items.capacity() {
        let grown = items.capacity().saturating_mul(2).max(8);
        charge(grown.saturating_mul(size_of::<T>()))?;
        items.reserve_exact(grown - items.len());
    }
    items.push(item);
    Ok(())
}

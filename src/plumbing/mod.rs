//! Infrastructure every layer with I/O shares: the bounded channels with their
//! overflow policies and meters. May import `domain` and `messages`.

pub mod channels;

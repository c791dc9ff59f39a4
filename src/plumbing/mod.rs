//! Infrastructure every layer with I/O shares: the bounded channels with their
//! overflow policies and meters, the HTTP client, the process's memory reading and
//! the XDG paths. May import `domain` and `messages`.

pub mod channels;
pub mod http;
pub mod paths;
pub mod system;

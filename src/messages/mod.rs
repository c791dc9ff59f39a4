//! The messages that cross between the engine and the tasks around it: what feeds
//! send in, what the engine sends out, and the operator's commands and their
//! answers. Plain data (a reply channel at most), so the engine, the sources and
//! the outputs all depend on this module and never on each other.

pub mod command;
pub mod feed;
pub mod health;
pub mod notify;
pub mod remote;
pub mod replay;
pub mod rest;
pub mod store;
pub mod yahoo;

pub use command::{Command, CommandReply, FailoverAction, Outcome, Request};
pub use feed::{
    AlpacaBatch, Fault, FeedEvent, LinkState, LinkUpdate, Payload, RawFrame, StreamControl,
    WireFrame,
};

#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod analysis;
pub mod codec;
pub mod discovery;
pub mod firmware;
pub mod http_api;
pub mod i18n;
pub mod mode;
pub mod mqtt;
pub mod raw_table;
pub mod readings;
pub mod registers;
pub mod texts;
pub mod validate;

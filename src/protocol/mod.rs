//! Pure protocol knowledge: the register map, the readings model, register
//! encoding and write validation. No I/O and no async here.

pub mod codec;
pub mod discovery;
pub mod firmware;
pub mod http_api;
pub mod mode;
pub mod mqtt;
pub mod readings;
pub mod registers;
pub mod validate;

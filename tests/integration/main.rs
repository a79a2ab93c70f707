//! End-to-end tests over real sockets: the simulator, the clients and the
//! command line, plus interoperability with software nobody here wrote.
//! One test binary with a module per area links faster than many.

mod busy_queue;
mod cli_contract;
mod commissioning;
mod concurrent_writes;
mod discovery;
mod discovery_ui;
mod exports;
mod firmware;
mod http;
mod http_faults;
mod journal;
mod kit;
mod mbpoll;
mod modbus_cli;
mod modbus_client;
mod modbus_faults;
mod modes;
mod mqtt;
mod mqtt_faults;
mod mqtt_info;
mod openssl_certs;
mod ota_faults;
mod packaging;
mod pipes;
mod profile_calibration;
mod provision;
mod registers_view;
mod remembered_names;
mod report_document;
mod secrets;
mod sim_calibration;
mod sim_modbus;
mod sim_mqtt_settings;
mod sim_wifi;
mod sim_wiring;
mod support;
mod ui;
mod ui_commissioning;
mod ui_config;
mod ui_first_contact;
mod ui_setup;

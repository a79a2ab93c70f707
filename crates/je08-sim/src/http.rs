//! The simulator's HTTP API (spec §4) and HTTP firmware update (spec §5).
//!
//! - `GET /api/info` answers in every mode without authentication; every
//!   other route needs HTTP Basic `admin` + the *active* interface password
//!   (401), then the right mode (409).
//! - PUTs validate the whole object first (422 naming the field, nothing
//!   changed) and store the block as *saved*: it becomes active at the next
//!   boot ([`Device::finish_boot`](super::device::Device::finish_boot)).
//!   GETs answer the saved block with passwords `null`.
//! - Certificates: PEM body ≤ 4096 bytes (413), malformed → 422; only
//!   `loaded` and `bytes` are ever answered.
//! - `POST /api/mode`, `/api/reboot`, `/api/network/reset` answer 202 and
//!   reboot; the answer is delivered before the connection closes.
//! - `POST /update` (update mode): multipart field `firmware`, validated by
//!   [`je08_protocol::firmware`]; `Update Success! Rebooting...` then a
//!   reboot into application mode with the new version, or
//!   `Update error: <reason>`. An upload cut off half way changes nothing.
//!
//! The listener is closed while the device is offline or under the `refuse`
//! fault (connection refused) and re-bound on the same port. A reboot lets
//! each connection finish its current answer, then closes it; the
//! drop-connections fault closes them at once; `stall` reads requests and
//! never answers; `delay` answers late.

use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::handle::SimDevice;
use super::server::{Conditions, Protocol, Serving, listen};
use je08_protocol::firmware::{self, FirmwareVersion, MAX_IMAGE_BYTES};
use je08_protocol::http_api::{
    API_USER, ApiError, CertKind, CertSlot, CertStatus, Connectivity, Ct, FieldErrors, Info, MAX_CERT_BYTES,
    Mode, Protocols, Rebooting, Secret, UPDATE_ERROR_PREFIX, UPDATE_SUCCESS, WifiInfo, check_pem,
};
use je08_protocol::readings::Inversions;

/// Largest JSON body accepted by a PUT or POST.
const MAX_JSON_BYTES: usize = 16 * 1024;
/// Largest `POST /update` body (the image plus multipart framing); an image
/// between the slot size and this is refused with `Update error: …`.
const MAX_UPDATE_BODY: usize = 2 * 1024 * 1024;
/// How long a reboot lets a connection finish its current answer.
const GRACE: Duration = Duration::from_secs(2);

/// The HTTP API as a [`Protocol`]: served online without the `refuse` fault;
/// connections outlive a closed listener until a reboot or a fault ends them.
#[derive(Debug, Default)]
pub struct Http {
    connections: Connections,
}

impl Protocol for Http {
    const NAME: &'static str = "http";
    type Socket = TcpListener;

    fn bind(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
        listen(addr)
    }

    fn serves(&self, _device: &SimDevice, now: &Conditions) -> bool {
        now.power.online && !now.faults.refuse
    }

    /// Dropped connections, or `refuse` set while online: close them now.
    /// A reboot (going down or coming back) lets each finish its answer.
    fn on_change(&self, before: &Conditions, now: &Conditions) -> Serving {
        let refusing = before.power.online && now.power.online && !before.faults.refuse && now.faults.refuse;
        if now.faults.drop_generation != before.faults.drop_generation || refusing {
            self.connections.close_now();
        }
        if now.power.boot_count != before.power.boot_count || now.power.online != before.power.online {
            self.connections.close_gracefully();
        }
        Serving::Continue
    }

    async fn serve(&self, listener: &TcpListener, device: &SimDevice) -> io::Result<()> {
        self.connections.accept(listener, router(device.clone())).await
    }
}

/// The open connections of an HTTP server, each serving a router; they are
/// aborted when this is dropped.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    tasks: Mutex<JoinSet<()>>,
    /// Bumped to let every connection finish its current answer and close.
    finish: watch::Sender<u64>,
}

impl Connections {
    /// Accept connections on `listener` and serve `app` on each, until
    /// accepting fails.
    pub(crate) async fn accept(&self, listener: &TcpListener, app: Router) -> io::Result<()> {
        loop {
            let (stream, peer) = listener.accept().await?;
            tracing::debug!(%peer, "connection accepted");
            let service = TowerToHyperService::new(app.clone());
            let mut finish = self.finish.subscribe();
            let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
            while tasks.try_join_next().is_some() {}
            tasks.spawn(async move {
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                tokio::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => {}
                    _ = finish.changed() => {
                        conn.as_mut().graceful_shutdown();
                        let _ = tokio::time::timeout(GRACE, conn).await;
                    }
                }
            });
        }
    }

    /// Close every connection at once.
    pub(crate) fn close_now(&self) {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .abort_all();
    }

    /// Let every connection finish its current answer (at most [`GRACE`]), then close it.
    pub(crate) fn close_gracefully(&self) {
        self.finish.send_modify(|g| *g += 1);
    }
}

/// The API routes with their fault middleware.
fn router(device: SimDevice) -> Router {
    Router::new()
        .route("/api/info", get(info))
        .route("/api/mode", post(mode))
        .route("/api/reboot", post(reboot))
        .route("/api/network/reset", post(network_reset))
        .route(
            "/api/config/connectivity",
            get(get_connectivity).put(put_connectivity),
        )
        .route("/api/config/protocols", get(get_protocols).put(put_protocols))
        .route("/api/config/ct", get(get_ct).put(put_ct))
        .route("/api/certs", get(cert_status))
        .route("/api/certs/{kind}", put(put_cert).delete(delete_cert))
        .route(
            "/update",
            post(update).layer(DefaultBodyLimit::max(MAX_UPDATE_BODY)),
        )
        .fallback(|| async { Fail::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(middleware::from_fn_with_state(device.clone(), faults_layer))
        .with_state(device)
}

/// Faults (stall, delay) before a request; after it, an answer that sent
/// the meter down (a reboot, a mode switch, a firmware update) closes its
/// connection as the real meter's reboot does, so a client cannot send its
/// next request on it to a meter that is no longer there.
async fn faults_layer(State(device): State<SimDevice>, request: Request, next: Next) -> Response {
    let mut faults = device.subscribe_faults();
    let now = *faults.borrow_and_update();
    if now.stall {
        // Read, never answer (until the stall is lifted).
        let _ = faults.wait_for(|f| !f.stall).await;
    }
    if let Some(delay) = device.faults().delay {
        tokio::time::sleep(delay).await;
    }
    let before = device.power_state();
    let mut response = next.run(request).await;
    let after = device.power_state();
    if !after.online || after.boot_count != before.boot_count {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// An error answer: status and `{"error","field"}`.
#[derive(Debug)]
struct Fail(StatusCode, ApiError);

impl Fail {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self(status, ApiError::new(error))
    }

    fn field(status: StatusCode, field: &str, error: impl Into<String>) -> Self {
        let mut api = ApiError::new(error);
        api.field = Some(field.to_owned());
        Self(status, api)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let mut resp = (self.0, axum::Json(self.1)).into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"JE08\""),
            );
        }
        resp
    }
}

type Answer = Result<Response, Fail>;

fn json<T: Serialize>(status: StatusCode, body: &T) -> Answer {
    Ok((status, axum::Json(body)).into_response())
}

/// Check the Basic credentials against the active interface password.
fn authorize(device: &SimDevice, headers: &HeaderMap) -> Result<(), Fail> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let ok = given
        .as_deref()
        .and_then(|t| t.split_once(':'))
        .is_some_and(|(user, pass)| {
            user == API_USER
                && device.with(|d| {
                    d.network
                        .interface_password
                        .as_ref()
                        .is_some_and(|p| constant_time_eq(p.expose().as_bytes(), pass.as_bytes()))
                })
        });
    if ok {
        Ok(())
    } else {
        Err(Fail::new(
            StatusCode::UNAUTHORIZED,
            "authentication required: HTTP Basic user admin and the interface password",
        ))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Authorize, then require `needed` mode.
fn guard(device: &SimDevice, headers: &HeaderMap, needed: Option<Mode>) -> Result<(), Fail> {
    authorize(device, headers)?;
    if let Some(needed) = needed {
        let mode = device.with(|d| d.mode());
        if mode != needed {
            return Err(Fail::new(
                StatusCode::CONFLICT,
                format!("this needs {needed} mode; the meter is in {mode} mode"),
            ));
        }
    }
    Ok(())
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, Fail> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        Fail::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {limit} bytes"),
        )
    })
}

async fn read_json<T: DeserializeOwned>(body: Body) -> Result<T, Fail> {
    let bytes = read_body(body, MAX_JSON_BYTES).await?;
    serde_json::from_slice(&bytes).map_err(|e| Fail::new(StatusCode::BAD_REQUEST, format!("bad JSON: {e}")))
}

fn invalid(errs: &FieldErrors) -> Fail {
    Fail(StatusCode::UNPROCESSABLE_ENTITY, ApiError::from_fields(errs))
}

/// `GET /api/info`.
async fn info(State(device): State<SimDevice>) -> Answer {
    json(StatusCode::OK, &device_info(&device))
}

/// The `/api/info` answer for the device now.
pub fn device_info(device: &SimDevice) -> Info {
    device.with(|d| {
        let now = Instant::now();
        Info {
            devtype: "JE08".to_owned(),
            subtype: "WATT METER".to_owned(),
            id: d.id(),
            name: d.network.device_name.clone(),
            mac: d.mac_string(),
            ip: d.reported_ip(),
            mode: d.mode(),
            esp_version: FirmwareVersion(d.esp_version).to_string(),
            stm32_version: FirmwareVersion(d.stm32_version).to_string(),
            wifi: WifiInfo {
                mode: d.network.wifi_mode,
                state: d.wifi_state(),
                ssid: d.network.ssid.clone(),
                rssi: d.rssi(),
            },
            uptime_s: d.uptime(now).as_secs(),
        }
    })
}

/// `POST /api/mode`.
async fn mode(State(device): State<SimDevice>, headers: HeaderMap, body: Body) -> Answer {
    guard(&device, &headers, None)?;
    let value: serde_json::Value = read_json(body).await?;
    let target = value
        .get("mode")
        .and_then(|m| m.as_str())
        .ok_or_else(|| Fail::field(StatusCode::UNPROCESSABLE_ENTITY, "mode", "missing mode"))?
        .parse::<Mode>()
        .map_err(|e| Fail::field(StatusCode::UNPROCESSABLE_ENTITY, "mode", e.to_string()))?;
    tracing::info!(id = device.id(), %target, "http: mode change requested");
    device.reboot(target);
    json(
        StatusCode::ACCEPTED,
        &Rebooting {
            rebooting_into: target,
        },
    )
}

/// `POST /api/reboot`.
async fn reboot(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, None)?;
    device.reboot(Mode::Application);
    json(
        StatusCode::ACCEPTED,
        &Rebooting {
            rebooting_into: Mode::Application,
        },
    )
}

/// `POST /api/network/reset`.
async fn network_reset(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, None)?;
    device.factory_network_reset();
    json(
        StatusCode::ACCEPTED,
        &Rebooting {
            rebooting_into: Mode::Configuration,
        },
    )
}

async fn get_connectivity(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    json(StatusCode::OK, &device.with(|d| d.network_saved.redacted()))
}

async fn put_connectivity(State(device): State<SimDevice>, headers: HeaderMap, body: Body) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    let block: Connectivity = read_json(body).await?;
    device.with(|d| {
        let merged = block.merged_onto(&d.network_saved);
        merged.validate().map_err(|e| invalid(&e))?;
        d.network_saved = merged;
        Ok::<(), Fail>(())
    })?;
    json(StatusCode::OK, &device.with(|d| d.network_saved.redacted()))
}

async fn get_protocols(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    json(StatusCode::OK, &device.with(|d| d.protocols_saved.redacted()))
}

async fn put_protocols(State(device): State<SimDevice>, headers: HeaderMap, body: Body) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    let block: Protocols = read_json(body).await?;
    device.with(|d| {
        let merged = block.merged_onto(&d.protocols_saved);
        merged.validate().map_err(|e| invalid(&e))?;
        d.protocols_saved = merged;
        Ok::<(), Fail>(())
    })?;
    json(StatusCode::OK, &device.with(|d| d.protocols_saved.redacted()))
}

fn saved_ct(device: &SimDevice) -> Ct {
    device.with(|d| {
        let s = d.saved_settings();
        Ct {
            ratio: u32::from(s.ct_ratio),
            invert: s.invert.to_array(),
        }
    })
}

async fn get_ct(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    json(StatusCode::OK, &saved_ct(&device))
}

async fn put_ct(State(device): State<SimDevice>, headers: HeaderMap, body: Body) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    let block: Ct = read_json(body).await?;
    block.validate().map_err(|e| invalid(&e))?;
    let ratio = u16::try_from(block.ratio).unwrap_or(u16::MAX);
    device.with(|d| d.save_ct(ratio, Inversions::from_array(block.invert)));
    json(StatusCode::OK, &saved_ct(&device))
}

/// The certificate slots of the device now.
pub fn cert_status_of(device: &SimDevice) -> CertStatus {
    device.with(|d| {
        let slot = |kind: CertKind| {
            d.certs.get(&kind).map_or(CertSlot::default(), |pem| CertSlot {
                loaded: true,
                bytes: pem.expose().len(),
            })
        };
        CertStatus {
            ca: slot(CertKind::Ca),
            client_cert: slot(CertKind::ClientCert),
            client_key: slot(CertKind::ClientKey),
        }
    })
}

async fn cert_status(State(device): State<SimDevice>, headers: HeaderMap) -> Answer {
    guard(&device, &headers, Some(Mode::Configuration))?;
    json(StatusCode::OK, &cert_status_of(&device))
}

fn cert_kind(text: &str) -> Result<CertKind, Fail> {
    text.parse::<CertKind>()
        .map_err(|e| Fail::new(StatusCode::NOT_FOUND, e.to_string()))
}

async fn put_cert(
    State(device): State<SimDevice>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let kind = cert_kind(&kind)?;
    guard(&device, &headers, Some(Mode::Configuration))?;
    let bytes = read_body(body, MAX_CERT_BYTES).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Fail::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind.as_str(),
            "the PEM is not text",
        )
    })?;
    check_pem(kind, text)
        .map_err(|e| Fail::field(StatusCode::UNPROCESSABLE_ENTITY, kind.as_str(), e.to_string()))?;
    device.with(|d| d.certs.insert(kind, Secret::new(text)));
    json(StatusCode::OK, &cert_status_of(&device))
}

async fn delete_cert(
    State(device): State<SimDevice>,
    Path(kind): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let kind = cert_kind(&kind)?;
    guard(&device, &headers, Some(Mode::Configuration))?;
    device.with(|d| d.certs.remove(&kind));
    json(StatusCode::OK, &cert_status_of(&device))
}

fn update_error(reason: impl std::fmt::Display) -> Answer {
    Ok((StatusCode::OK, format!("{UPDATE_ERROR_PREFIX}{reason}")).into_response())
}

/// `POST /update`: multipart field `firmware`.
async fn update(State(device): State<SimDevice>, headers: HeaderMap, mut form: Multipart) -> Answer {
    guard(&device, &headers, Some(Mode::Update))?;
    let mut image: Option<Vec<u8>> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => return Err(upload_broken(err)),
        };
        if field.name() != Some("firmware") {
            continue;
        }
        let mut data = Vec::new();
        let mut field = field;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => data.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => return Err(upload_broken(err)),
            }
        }
        image = Some(data);
    }
    let Some(image) = image else {
        return update_error("no multipart field named firmware");
    };
    apply_image(&device, &image).map_or_else(update_error, |()| {
        Ok((StatusCode::OK, UPDATE_SUCCESS).into_response())
    })
}

fn upload_broken(err: axum::extract::multipart::MultipartError) -> Fail {
    tracing::warn!("http: firmware upload broken off: {err}; staying in update mode");
    let status = err.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Fail::new(
            status,
            format!(
                "the upload is larger than {MAX_UPDATE_BODY} bytes; the application slot holds {MAX_IMAGE_BYTES}"
            ),
        )
    } else {
        Fail::new(StatusCode::BAD_REQUEST, format!("upload broken off: {err}"))
    }
}

/// Validate an uploaded image; on success record its version and reboot into
/// application mode. Shared by HTTP and espota; the failed check is what the
/// meter answers.
pub fn apply_image(device: &SimDevice, image: &[u8]) -> Result<(), firmware::Check> {
    let version = firmware::validate(image).verdict()?;
    let code = version.map_or(0, FirmwareVersion::code);
    tracing::info!(
        id = device.id(),
        version = code,
        "firmware update accepted; rebooting"
    );
    device.with(|d| {
        d.esp_version = code;
        d.app_image_valid = true;
    });
    device.reboot(Mode::Application);
    Ok(())
}

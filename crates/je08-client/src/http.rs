//! HTTP client for a meter's configuration API (spec §4) and the HTTP
//! firmware update (spec §5).
//!
//! Plain HTTP (meters do not speak TLS). A client for a meter, not for the
//! web: redirects are refused, never followed; every request, its answer's
//! body included, has a deadline; bodies are read up to a cap; words quoted
//! from an answer are a short excerpt; `/api/info` is range-checked. Every
//! failure is a typed [`HttpError`] naming the meter and what to do.
//! Settings are validated before anything is sent; firmware images are
//! validated before the upload starts.

mod reply;

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use self::reply::{Body, MAX_BODY, excerpt, impossible_field, read_capped};
use super::endpoint::{AddressError, Endpoint};
use super::texts::ClientMsg;
use je08_protocol::firmware::{self, FirmwareVersion};
use je08_protocol::http_api::{
    API_USER, ApiError, CertKind, CertStatus, Connectivity, Ct, DEFAULT_HTTP_PORT, FieldError, FieldErrors,
    Info, Mode, ModeRequest, Protocols, Secret, UPDATE_ERROR_PREFIX, UPDATE_SUCCESS,
};
use je08_protocol::i18n::{Describe, Tr};

/// Default deadline of one request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default deadline for a meter to come back after a reboot.
pub const REBOOT_DEADLINE: Duration = Duration::from_secs(60);
/// Pause between two `/api/info` polls while waiting for a reboot.
const POLL_PERIOD: Duration = Duration::from_millis(200);
/// Deadline of one poll while waiting for a reboot.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);
/// Chunk size of a streamed firmware upload.
const UPLOAD_CHUNK: usize = 4096;

/// What went wrong talking to a meter's HTTP API; said in words by its
/// [`Describe`] (its English is its `Display`). What to do with the
/// controls of a front end (a command-line flag, a button) is that front
/// end's to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// 401: the interface password is wrong or missing.
    Unauthorized {
        /// Meter address.
        meter: String,
    },
    /// 409: the meter is not in the mode this request needs.
    WrongMode {
        /// Meter address.
        meter: String,
        /// Mode the request needs.
        needed: Mode,
        /// The meter's explanation.
        detail: String,
    },
    /// 422: the meter refused a value.
    Rejected {
        /// Meter address.
        meter: String,
        /// Offending field.
        field: String,
        /// Why.
        reason: String,
        /// Every bad field the meter named.
        errors: Vec<FieldError>,
    },
    /// Local validation failed: nothing was sent.
    Invalid {
        /// Meter address.
        meter: String,
        /// Every bad field.
        errors: FieldErrors,
    },
    /// 413: the body is larger than the meter accepts.
    TooLarge {
        /// Meter address.
        meter: String,
        /// The meter's explanation.
        detail: String,
    },
    /// No TCP connection could be made.
    Unreachable {
        /// Meter address.
        meter: String,
        /// Underlying error.
        detail: String,
    },
    /// The meter did not answer in time.
    Timeout {
        /// Meter address.
        meter: String,
        /// The deadline.
        timeout: Duration,
    },
    /// The meter answered something this client does not understand.
    Protocol {
        /// Meter address.
        meter: String,
        /// What was wrong.
        detail: String,
    },
    /// The answer was a redirect (3xx); it was not followed.
    Redirected {
        /// Meter address.
        meter: String,
        /// The status code.
        status: u16,
        /// Where it pointed (an excerpt of its `Location`).
        location: String,
    },
    /// The answer's body is larger than any the API sends; it was not read
    /// beyond the cap.
    BodyTooLarge {
        /// Meter address.
        meter: String,
        /// The cap, KiB.
        limit_kib: usize,
    },
    /// `/api/info` holds a value no JE08 sends.
    BadInfo {
        /// Meter address.
        meter: String,
        /// The field.
        field: &'static str,
        /// Its value (an excerpt).
        value: String,
    },
    /// The meter did not come back as expected after a reboot.
    NotBack {
        /// Meter address.
        meter: String,
        /// Mode waited for.
        wanted: Mode,
        /// The deadline.
        deadline: Duration,
        /// Last thing seen.
        detail: String,
    },
    /// The firmware image failed validation: nothing was sent.
    BadImage(Box<firmware::Check>),
    /// The meter refused or failed the firmware update.
    UpdateFailed {
        /// Meter address.
        meter: String,
        /// The meter's reason.
        reason: String,
    },
}

impl HttpError {
    /// The meter the request went to (`None` for an image refused before
    /// anything was sent).
    pub fn meter(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { meter }
            | Self::WrongMode { meter, .. }
            | Self::Rejected { meter, .. }
            | Self::Invalid { meter, .. }
            | Self::TooLarge { meter, .. }
            | Self::Unreachable { meter, .. }
            | Self::Timeout { meter, .. }
            | Self::Protocol { meter, .. }
            | Self::Redirected { meter, .. }
            | Self::BodyTooLarge { meter, .. }
            | Self::BadInfo { meter, .. }
            | Self::NotBack { meter, .. }
            | Self::UpdateFailed { meter, .. } => Some(meter),
            Self::BadImage(_) => None,
        }
    }
}

impl Describe for HttpError {
    fn describe(&self, tr: Tr) -> String {
        let debug = |d: &Duration| format!("{d:?}");
        match self {
            Self::Unauthorized { meter } => tr.f(ClientMsg::HttpUnauthorized, &[meter]),
            Self::WrongMode {
                meter,
                needed,
                detail,
            } => tr.f(ClientMsg::HttpWrongMode, &[meter, &needed.describe(tr), detail]),
            Self::Rejected {
                meter, field, reason, ..
            } => tr.f(ClientMsg::HttpRejected, &[meter, field, reason]),
            Self::Invalid { meter, errors } => tr.f(ClientMsg::HttpInvalid, &[meter, &errors.describe(tr)]),
            Self::TooLarge { meter, detail } => tr.f(ClientMsg::HttpTooLarge, &[meter, detail]),
            Self::Unreachable { meter, detail } => tr.f(ClientMsg::HttpUnreachable, &[meter, detail]),
            Self::Timeout { meter, timeout } => tr.f(ClientMsg::HttpTimeout, &[meter, &debug(timeout)]),
            Self::Protocol { meter, detail } => tr.f(ClientMsg::HttpProtocol, &[meter, detail]),
            Self::Redirected {
                meter,
                status,
                location,
            } => tr.f(ClientMsg::HttpRedirected, &[meter, &status.to_string(), location]),
            Self::BodyTooLarge { meter, limit_kib } => {
                tr.f(ClientMsg::HttpBodyTooLarge, &[meter, &limit_kib.to_string()])
            }
            Self::BadInfo { meter, field, value } => tr.f(ClientMsg::HttpBadInfo, &[meter, field, value]),
            Self::NotBack {
                meter,
                wanted,
                deadline,
                detail,
            } => tr.f(
                ClientMsg::HttpNotBack,
                &[meter, &wanted.describe(tr), &debug(deadline), detail],
            ),
            Self::BadImage(check) => tr.f(ClientMsg::ImageRefused, &[&check.describe(tr)]),
            Self::UpdateFailed { meter, reason } => tr.f(ClientMsg::FirmwareRefused, &[meter, reason]),
        }
    }
}

je08_protocol::english_display!(errors: HttpError);

/// A meter's whole answer: its status and its body (at most [`MAX_BODY`]).
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

/// Progress of an upload: bytes sent so far and total.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// A connection-less client for one meter's HTTP API.
#[derive(Clone)]
pub struct MeterHttp {
    client: reqwest::Client,
    base: String,
    meter: String,
    password: Option<Secret>,
    timeout: Duration,
}

impl fmt::Debug for MeterHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeterHttp")
            .field("meter", &self.meter)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl MeterHttp {
    /// A client for the meter at `host:port` with the interface password
    /// (needed for everything but [`MeterHttp::info`]).
    pub fn new(host: &str, port: u16, password: Option<Secret>) -> Self {
        let meter = Endpoint {
            host: host.to_owned(),
            port,
        }
        .to_string();
        let client = reqwest::Client::builder()
            .connect_timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            base: format!("http://{meter}"),
            meter,
            password,
            timeout: REQUEST_TIMEOUT,
        }
    }

    /// Parse `host[:port]` (port 80 when absent) and build a client.
    pub fn from_host(text: &str, password: Option<Secret>) -> Result<Self, AddressError> {
        let endpoint = Endpoint::parse(text, DEFAULT_HTTP_PORT)?;
        Ok(Self::new(&endpoint.host, endpoint.port, password))
    }

    /// Change the per-request deadline.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The meter's `host:port`.
    pub fn meter(&self) -> &str {
        &self.meter
    }

    fn request(&self, method: reqwest::Method, path: &str, auth: bool) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .timeout(self.timeout);
        if auth {
            req = req.basic_auth(API_USER, self.password.as_ref().map(Secret::expose));
        }
        req
    }

    fn transport(&self, err: &reqwest::Error, timeout: Duration) -> HttpError {
        if err.is_timeout() {
            HttpError::Timeout {
                meter: self.meter.clone(),
                timeout,
            }
        } else if err.is_connect() {
            HttpError::Unreachable {
                meter: self.meter.clone(),
                detail: error_chain(err),
            }
        } else {
            HttpError::Protocol {
                meter: self.meter.clone(),
                detail: error_chain(err),
            }
        }
    }

    /// Send `req` and read its whole answer under `timeout` (the request's
    /// own deadline, which covers the body): a success with its body, or the
    /// typed failure its status means.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        needed: Option<Mode>,
        timeout: Duration,
    ) -> Result<Reply, HttpError> {
        let mut resp = req.send().await.map_err(|e| self.transport(&e, timeout))?;
        let status = resp.status();
        let meter = self.meter.clone();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|value| excerpt(&String::from_utf8_lossy(value.as_bytes())))
                .unwrap_or_default();
            return Err(HttpError::Redirected {
                meter,
                status: status.as_u16(),
                location,
            });
        }
        let too_large = || HttpError::BodyTooLarge {
            meter: self.meter.clone(),
            limit_kib: MAX_BODY / 1024,
        };
        if status.is_success() {
            if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
                return Err(too_large());
            }
            let body = read_capped(&mut resp, MAX_BODY)
                .await
                .map_err(|e| self.transport(&e, timeout))?;
            if body.cut {
                return Err(too_large());
            }
            return Ok(Reply {
                status,
                body: body.bytes,
            });
        }
        // An error page is only quoted: what arrived within the cap will do.
        let body = read_capped(&mut resp, MAX_BODY).await.unwrap_or(Body {
            bytes: Vec::new(),
            cut: false,
        });
        let api: ApiError = serde_json::from_slice(&body.bytes)
            .unwrap_or_else(|_| ApiError::new(String::from_utf8_lossy(&body.bytes)));
        let detail = excerpt(&api.error);
        Err(match status {
            StatusCode::UNAUTHORIZED => HttpError::Unauthorized { meter },
            StatusCode::CONFLICT => HttpError::WrongMode {
                meter,
                needed: needed.unwrap_or(Mode::Configuration),
                detail,
            },
            StatusCode::UNPROCESSABLE_ENTITY => HttpError::Rejected {
                meter,
                field: api
                    .field
                    .map_or_else(|| "the request".to_owned(), |field| excerpt(&field)),
                reason: detail,
                errors: api.errors,
            },
            StatusCode::PAYLOAD_TOO_LARGE => HttpError::TooLarge { meter, detail },
            other => HttpError::Protocol {
                meter,
                detail: format!("HTTP {other}: {detail}"),
            },
        })
    }

    fn json<T: DeserializeOwned>(&self, reply: &Reply) -> Result<T, HttpError> {
        serde_json::from_slice(&reply.body).map_err(|e| HttpError::Protocol {
            meter: self.meter.clone(),
            detail: format!("cannot read the JSON answer: {e}"),
        })
    }

    /// `GET /api/info` (no authentication), refused when a field holds a
    /// value no JE08 sends.
    pub async fn info(&self) -> Result<Info, HttpError> {
        let reply = self
            .send(
                self.request(reqwest::Method::GET, "/api/info", false),
                None,
                self.timeout,
            )
            .await?;
        let info: Info = self.json(&reply)?;
        match impossible_field(&info) {
            Some((field, value)) => Err(HttpError::BadInfo {
                meter: self.meter.clone(),
                field,
                value,
            }),
            None => Ok(info),
        }
    }

    async fn get_block<T: DeserializeOwned>(&self, path: &str) -> Result<T, HttpError> {
        let reply = self
            .send(
                self.request(reqwest::Method::GET, path, true),
                Some(Mode::Configuration),
                self.timeout,
            )
            .await?;
        self.json(&reply)
    }

    async fn put_block<T: Serialize>(&self, path: &str, body: &T) -> Result<(), HttpError> {
        self.send(
            self.request(reqwest::Method::PUT, path, true).json(body),
            Some(Mode::Configuration),
            self.timeout,
        )
        .await?;
        Ok(())
    }

    fn local_check(&self, result: Result<(), FieldErrors>) -> Result<(), HttpError> {
        result.map_err(|errors| HttpError::Invalid {
            meter: self.meter.clone(),
            errors,
        })
    }

    /// `GET /api/config/connectivity` (configuration mode; passwords `null`).
    pub async fn connectivity(&self) -> Result<Connectivity, HttpError> {
        self.get_block("/api/config/connectivity").await
    }

    /// Validate, then `PUT /api/config/connectivity` (applies at the next reboot).
    pub async fn set_connectivity(&self, block: &Connectivity) -> Result<(), HttpError> {
        self.local_check(block.validate())?;
        self.put_block("/api/config/connectivity", block).await
    }

    /// `GET /api/config/protocols` (configuration mode; password `null`).
    pub async fn protocols(&self) -> Result<Protocols, HttpError> {
        self.get_block("/api/config/protocols").await
    }

    /// Validate, then `PUT /api/config/protocols` (applies at the next reboot).
    pub async fn set_protocols(&self, block: &Protocols) -> Result<(), HttpError> {
        self.local_check(block.validate())?;
        self.put_block("/api/config/protocols", block).await
    }

    /// `GET /api/config/ct` (configuration mode).
    pub async fn ct(&self) -> Result<Ct, HttpError> {
        self.get_block("/api/config/ct").await
    }

    /// Validate, then `PUT /api/config/ct` (applies at the next reboot).
    pub async fn set_ct(&self, block: &Ct) -> Result<(), HttpError> {
        self.local_check(block.validate())?;
        self.put_block("/api/config/ct", block).await
    }

    /// `GET /api/certs`: which slots hold a PEM (never the content).
    pub async fn cert_status(&self) -> Result<CertStatus, HttpError> {
        self.get_block("/api/certs").await
    }

    /// Upload a PEM to a slot (pre-flight it first with `je08_net::certs::check`).
    pub async fn upload_cert(&self, kind: CertKind, pem: &str) -> Result<(), HttpError> {
        self.send(
            self.request(reqwest::Method::PUT, &format!("/api/certs/{kind}"), true)
                .header(reqwest::header::CONTENT_TYPE, "application/x-pem-file")
                .body(pem.to_owned()),
            Some(Mode::Configuration),
            self.timeout,
        )
        .await?;
        Ok(())
    }

    /// Delete the PEM of a slot.
    pub async fn delete_cert(&self, kind: CertKind) -> Result<(), HttpError> {
        self.send(
            self.request(reqwest::Method::DELETE, &format!("/api/certs/{kind}"), true),
            Some(Mode::Configuration),
            self.timeout,
        )
        .await?;
        Ok(())
    }

    async fn post_reboot(&self, path: &str, body: Option<ModeRequest>) -> Result<(), HttpError> {
        let mut req = self.request(reqwest::Method::POST, path, true);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = self.send(req, None, self.timeout).await?;
        if reply.status != StatusCode::ACCEPTED {
            return Err(HttpError::Protocol {
                meter: self.meter.clone(),
                detail: format!("expected 202 Accepted, got {}", reply.status),
            });
        }
        Ok(())
    }

    /// `POST /api/mode` only (202): the meter reboots into `mode`.
    pub async fn request_mode(&self, mode: Mode) -> Result<(), HttpError> {
        self.post_reboot("/api/mode", Some(ModeRequest { mode })).await
    }

    /// Switch modes and wait until the meter answers in `mode` (or say why
    /// not within `deadline`).
    pub async fn switch_mode(&self, mode: Mode, deadline: Duration) -> Result<Info, HttpError> {
        let before = self.info().await?;
        self.request_mode(mode).await?;
        self.wait_back(mode, &before, deadline, |_| true).await
    }

    /// `POST /api/reboot` and wait until the meter is back in application mode.
    pub async fn reboot(&self, deadline: Duration) -> Result<Info, HttpError> {
        let before = self.info().await?;
        self.post_reboot("/api/reboot", None).await?;
        self.wait_back(Mode::Application, &before, deadline, |_| true)
            .await
    }

    /// `POST /api/network/reset` and wait until the meter is back in
    /// configuration mode with factory network settings. `reach` is where the
    /// meter answers afterwards (a real one moves to 192.168.1.1 on its own
    /// access point; `None` skips the wait).
    pub async fn network_reset(
        &self,
        reach: Option<(&MeterHttp, Duration)>,
    ) -> Result<Option<Info>, HttpError> {
        let before = self.info().await?;
        self.post_reboot("/api/network/reset", None).await?;
        match reach {
            Some((client, deadline)) => client
                .wait_back(Mode::Configuration, &before, deadline, |_| true)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    /// Poll `/api/info` until the meter has rebooted (seen offline, or uptime
    /// restarted, or now in another mode than before) and is in `mode` and
    /// `accept` holds.
    pub async fn wait_back(
        &self,
        mode: Mode,
        before: &Info,
        deadline: Duration,
        accept: impl Fn(&Info) -> bool,
    ) -> Result<Info, HttpError> {
        let start = Instant::now();
        let poller = self.clone().with_timeout(POLL_TIMEOUT);
        let mut seen_offline = false;
        let mut last = "no answer yet".to_owned();
        while start.elapsed() < deadline {
            match poller.info().await {
                Ok(info) => {
                    let elapsed = start.elapsed().as_secs();
                    let rebooted = seen_offline
                        || info.mode != before.mode
                        || info.uptime_s.saturating_add(1) < before.uptime_s.saturating_add(elapsed);
                    if rebooted && info.mode == mode && accept(&info) {
                        return Ok(info);
                    }
                    last = format!(
                        "it answers in {} mode, firmware {}, uptime {} s",
                        info.mode, info.esp_version, info.uptime_s
                    );
                }
                Err(err) => {
                    seen_offline = true;
                    last = err.to_string();
                }
            }
            tokio::time::sleep(POLL_PERIOD).await;
        }
        Err(HttpError::NotBack {
            meter: self.meter.clone(),
            wanted: mode,
            deadline,
            detail: last,
        })
    }

    /// Validate `image`, then `POST /update` as a streamed multipart upload
    /// reporting progress. The meter must be in update mode. Returns the
    /// version found in the image; call [`MeterHttp::confirm_version`] after.
    pub async fn push_firmware(
        &self,
        image: Bytes,
        progress: Progress<'_>,
    ) -> Result<Option<FirmwareVersion>, HttpError> {
        let version = firmware::validate(&image)
            .verdict()
            .map_err(|check| HttpError::BadImage(Box::new(check)))?;
        let total = image.len() as u64;
        let (tx, rx) = std::sync::mpsc::channel::<u64>();
        let chunks: Vec<Bytes> = (0..image.len())
            .step_by(UPLOAD_CHUNK)
            .map(|at| image.slice(at..image.len().min(at + UPLOAD_CHUNK)))
            .collect();
        let mut sent = 0u64;
        let stream = futures::stream::iter(chunks.into_iter().map(move |chunk| {
            sent += chunk.len() as u64;
            let _ = tx.send(sent);
            Ok::<Bytes, std::io::Error>(chunk)
        }));
        let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), total)
            .file_name("firmware.bin")
            .mime_str("application/octet-stream")
            .map_err(|e| HttpError::Protocol {
                meter: self.meter.clone(),
                detail: e.to_string(),
            })?;
        let form = reqwest::multipart::Form::new().part("firmware", part);
        // The upload may take long on a weak link: a deadline per 4 KiB
        // chunk, at least the request deadline.
        let timeout = self.timeout + Duration::from_millis(total / 1024 * 50);
        let req = self
            .request(reqwest::Method::POST, "/update", true)
            .timeout(timeout)
            .multipart(form);
        let send = self.send(req, Some(Mode::Update), timeout);
        tokio::pin!(send);
        let reply = loop {
            tokio::select! {
                reply = &mut send => break reply?,
                () = tokio::time::sleep(Duration::from_millis(50)) => {
                    if let Some(n) = rx.try_iter().last() {
                        progress(n, total);
                    }
                }
            }
        };
        if let Some(n) = rx.try_iter().last() {
            progress(n, total);
        }
        let body = String::from_utf8_lossy(&reply.body);
        let body = body.trim();
        if body == UPDATE_SUCCESS {
            Ok(version)
        } else if let Some(reason) = body.strip_prefix(UPDATE_ERROR_PREFIX) {
            Err(HttpError::UpdateFailed {
                meter: self.meter.clone(),
                reason: excerpt(reason),
            })
        } else {
            Err(HttpError::Protocol {
                meter: self.meter.clone(),
                detail: format!("unexpected update answer {:?}", excerpt(body)),
            })
        }
    }

    /// After an update: wait until the meter is back in application mode and,
    /// when `version` is known, runs it.
    pub async fn confirm_version(
        &self,
        before: &Info,
        version: Option<FirmwareVersion>,
        deadline: Duration,
    ) -> Result<Info, HttpError> {
        let wanted = version.map(|v| v.to_string());
        self.wait_back(Mode::Application, before, deadline, |info| {
            wanted.as_ref().is_none_or(|w| &info.esp_version == w)
        })
        .await
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let client = MeterHttp::new("127.0.0.1", 80, Some(Secret::new("hunter2hunter2")));
        let text = format!("{client:?}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}

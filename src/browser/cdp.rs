//! A small client for the Chrome DevTools Protocol over one WebSocket: commands with replies, and
//! events routed to the tab (flattened session) they belong to. Only what rendering needs; the
//! protocol is JSON, so a message is a `serde_json::Value`.

use futures_util::stream::{SplitSink, StreamExt};
use futures_util::SinkExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest message accepted from the browser: a serialised DOM or a screenshot of a large page.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// Events queued for one tab before the reader waits for it.
const EVENTS_PER_TAB: usize = 1024;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CdpError {
    #[error("the browser closed the connection")]
    Closed,
    #[error("the browser did not answer {method} within {seconds} s")]
    Timeout { method: String, seconds: u64 },
    #[error("{method}: {message}")]
    Protocol { method: String, message: String },
    #[error("cannot connect to the browser: {0}")]
    Connect(String),
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Pending = Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>;

/// An event for a tab: the method name and its parameters.
#[derive(Debug)]
pub struct Event {
    pub method: String,
    pub params: Value,
}

/// One connection to a browser.
pub struct Connection {
    writer: tokio::sync::Mutex<SplitSink<Socket, Message>>,
    next_id: AtomicU64,
    pending: Arc<Pending>,
    sessions: Arc<Mutex<HashMap<String, mpsc::Sender<Event>>>>,
    closed: Arc<AtomicBool>,
}

impl Connection {
    pub async fn connect(ws_url: &str) -> Result<Arc<Connection>, CdpError> {
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let (socket, _) = tokio_tungstenite::connect_async_with_config(ws_url, Some(config), false)
            .await
            .map_err(|e| CdpError::Connect(e.to_string()))?;
        let (writer, mut reader) = socket.split();
        let pending: Arc<Pending> = Arc::default();
        let sessions: Arc<Mutex<HashMap<String, mpsc::Sender<Event>>>> = Arc::default();
        let closed = Arc::new(AtomicBool::new(false));
        let connection = Arc::new(Connection {
            writer: tokio::sync::Mutex::new(writer),
            next_id: AtomicU64::new(1),
            pending: pending.clone(),
            sessions: sessions.clone(),
            closed: closed.clone(),
        });
        tokio::spawn(async move {
            while let Some(Ok(message)) = reader.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if let Some(id) = value.get("id").and_then(Value::as_u64) {
                    let reply = match value.get("error") {
                        Some(error) => Err(error.get("message").and_then(Value::as_str).unwrap_or("error").to_string()),
                        None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
                    };
                    if let Some(waiting) = lock(&pending).remove(&id) {
                        let _ = waiting.send(reply);
                    }
                    continue;
                }
                let (Some(method), Some(session)) =
                    (value.get("method").and_then(Value::as_str), value.get("sessionId").and_then(Value::as_str))
                else {
                    continue;
                };
                let sender = lock(&sessions).get(session).cloned();
                if let Some(sender) = sender {
                    let event = Event { method: method.to_string(), params: value["params"].clone() };
                    // A tab that stopped listening is being closed; its events no longer matter.
                    let _ = sender.send(event).await;
                }
            }
            closed.store(true, Ordering::SeqCst);
            // Every command still waiting learns that no answer will come.
            lock(&pending).clear();
            lock(&sessions).clear();
        });
        Ok(connection)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Sends a command (to a tab when `session` is given) and waits for its answer.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        let (id, message) = self.message(session, method, params)?;
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).insert(id, sender);
        // The reader marks the connection closed before it drops every waiting command: a command
        // registered after that drop sees the mark here instead of waiting for its timeout.
        if self.is_closed() {
            lock(&self.pending).remove(&id);
            return Err(CdpError::Closed);
        }
        let sent = self.writer.lock().await.send(Message::Text(message.to_string().into())).await;
        if sent.is_err() {
            lock(&self.pending).remove(&id);
            return Err(CdpError::Closed);
        }
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(message))) => Err(CdpError::Protocol { method: method.to_string(), message }),
            Ok(Err(_)) => Err(CdpError::Closed),
            Err(_) => {
                lock(&self.pending).remove(&id);
                Err(CdpError::Timeout { method: method.to_string(), seconds: timeout.as_secs() })
            }
        }
    }

    /// Sends a command without waiting for its answer: the handler of a tab's events must never wait
    /// on the reader, which may itself be waiting to hand that handler its next event.
    pub async fn send(&self, session: Option<&str>, method: &str, params: Value) -> Result<(), CdpError> {
        let (_, message) = self.message(session, method, params)?;
        self.writer.lock().await.send(Message::Text(message.to_string().into())).await.map_err(|_| CdpError::Closed)
    }

    /// A command with a fresh id, addressed to a tab when `session` is given.
    fn message(&self, session: Option<&str>, method: &str, params: Value) -> Result<(u64, Value), CdpError> {
        if self.is_closed() {
            return Err(CdpError::Closed);
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::String(session.to_string());
        }
        Ok((id, message))
    }

    /// Starts receiving a tab's events.
    pub fn subscribe(&self, session: &str) -> mpsc::Receiver<Event> {
        let (sender, receiver) = mpsc::channel(EVENTS_PER_TAB);
        lock(&self.sessions).insert(session.to_string(), sender);
        receiver
    }

    pub fn unsubscribe(&self, session: &str) {
        lock(&self.sessions).remove(session);
    }
}

/// A poisoned lock only means another task panicked while holding it; the map itself is intact.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

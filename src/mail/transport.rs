//! Where mail goes: an SMTP server, or `.eml` files for development and demos.

use std::path::PathBuf;
use std::sync::Arc;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailSettings, MailTransportKind, SmtpTls};
use crate::db::outbox::OutboxRow;

#[derive(Clone)]
pub enum Transport {
    Smtp(Arc<SmtpClient>),
    File(PathBuf),
}

/// lettre's connection pool closes its connections by spawning a tokio task when dropped,
/// which panics (and aborts the process) when the last handle goes away on a thread whose
/// runtime has already stopped — at shutdown. Then the connections are left to the OS.
pub struct SmtpClient(Option<AsyncSmtpTransport<Tokio1Executor>>);

impl Drop for SmtpClient {
    fn drop(&mut self) {
        if let Some(transport) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_err() {
                std::mem::forget(transport);
            }
        }
    }
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl Transport {
    pub fn from_settings(m: &MailSettings) -> anyhow::Result<Transport> {
        Ok(match m.transport {
            MailTransportKind::File => Transport::File(m.dir.clone()),
            MailTransportKind::Smtp => {
                let builder = match m.smtp_tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.smtp_host)
                            .tls(Tls::None)
                    }
                    SmtpTls::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.smtp_host)
                            .tls(Tls::Required(TlsParameters::new(m.smtp_host.clone())?))
                    }
                    SmtpTls::Tls => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.smtp_host)
                            .tls(Tls::Wrapper(TlsParameters::new(m.smtp_host.clone())?))
                    }
                };
                let mut builder = builder
                    .port(m.smtp_port)
                    .timeout(Some(m.smtp_timeout))
                    // One connection per concurrently sent mail of a batch, reused across rounds.
                    .pool_config(PoolConfig::new().max_size(m.batch.max(1) as u32));
                if let (Some(user), Some(password)) = (&m.smtp_username, &m.smtp_password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Transport::Smtp(Arc::new(SmtpClient(Some(builder.build()))))
            }
        })
    }

    /// Sends one outbox row.
    pub async fn send(&self, message: Message, row: &OutboxRow) -> Result<(), SendError> {
        match self {
            Transport::Smtp(client) => match &client.0 {
                None => Err(SendError {
                    permanent: false,
                    message: "the SMTP client is shut down".to_owned(),
                }),
                Some(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendError {
                    // 5xx answers are permanent; connection problems and 4xx are worth retrying.
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                }),
            },
            Transport::File(dir) => {
                let path = dir.join(format!("{}.eml", row.id));
                let bytes = message.formatted();
                let dir = dir.clone();
                let written = tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&path, bytes).map(|()| path)
                })
                .await;
                match written {
                    Ok(Ok(path)) => {
                        tracing::info!(to = %row.recipient, subject = %row.subject, file = %path.display(), "mail written to file (mail_transport = file)");
                        Ok(())
                    }
                    Ok(Err(e)) => Err(SendError {
                        permanent: false,
                        message: format!("cannot write mail file: {e}"),
                    }),
                    Err(e) => Err(SendError {
                        permanent: false,
                        message: format!("mail file task failed: {e}"),
                    }),
                }
            }
        }
    }
}

/// The MIME message of an outbox row. Its Message-ID is derived from the row id, so a resend
/// after a crash is recognisably the same mail.
pub fn build_message(
    row: &OutboxRow,
    from: &str,
    reply_to: Option<&str>,
    host: &str,
) -> Result<Message, SendError> {
    let permanent = |what: &str, e: String| SendError {
        permanent: true,
        message: format!("{what}: {e}"),
    };
    let from: Mailbox = from
        .parse()
        .map_err(|e: lettre::address::AddressError| permanent("from", e.to_string()))?;
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e: lettre::address::AddressError| permanent("recipient", e.to_string()))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(message_id(&row.id, host)));
    if let Some(reply_to) = reply_to {
        let mailbox: Mailbox = reply_to
            .parse()
            .map_err(|e: lettre::address::AddressError| permanent("reply-to", e.to_string()))?;
        builder = builder.reply_to(mailbox);
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .header(ContentTransferEncoding::Base64)
                        .body(row.body_text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::Base64)
                        .body(row.body_html.clone()),
                ),
        )
        .map_err(|e| permanent("message", e.to_string()))
}

pub fn message_id(row_id: &str, host: &str) -> String {
    format!("<outbox-{row_id}@{host}>")
}

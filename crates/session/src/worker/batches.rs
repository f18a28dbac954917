//! How the worker writes the rib's batches without holding one whole: the
//! batch being written is a [`BatchEncoder`] over its frame, and its
//! messages go to the connection's writer a chunk of about
//! [`CHUNK_BYTES`] at a time, the next chunk only once the writer has
//! written all but one of those before it (a mark queued behind each
//! chunk comes back as `Written`). The batch's `Ack { seq }` is queued
//! behind its last message, so the rib still hears of it only once every
//! byte is written. Messages of the rib that arrive meanwhile wait in
//! order behind it, except `Ping` (answered at once: a long batch on a
//! slow peer is not a hung worker) and `SendHoldExpired` (the rib gave up
//! on this peer's backlog: the NOTIFICATION goes after what the writer
//! already holds, not after the rest of the batch).

use super::*;
use crate::batch_encoder::BatchEncoder;

/// Bytes of messages handed to the writer at a time.
pub(super) const CHUNK_BYTES: usize = conn::COALESCE_BYTES;
/// Chunks handed to the writer and not yet written, at most.
const CHUNKS_IN_FLIGHT: usize = 2;

/// The batch being written on the current connection.
pub(super) struct Job {
    encoder: BatchEncoder,
    conn: ConnId,
    /// The rib the batch came from (see [`Worker::rib_epoch`]): a batch
    /// of a rib that died since is still written, never acknowledged.
    epoch: u64,
    /// Tokens of the marks queued behind its chunks, not yet written.
    marks: Vec<u64>,
}

impl Worker {
    /// A message of the rib, read from its channel.
    pub(super) async fn rib_frame(&mut self, frame: RibFrame) -> Result<()> {
        match frame {
            RibFrame::Other(RibToSession::Ping { n }) => {
                self.tell_rib(SessionToRib::Pong { n }).await
            }
            RibFrame::Other(RibToSession::SendHoldExpired) => self.send_hold_expired().await,
            frame if self.job.is_some() || !self.backlog.is_empty() => {
                self.backlog.push_back((self.rib_epoch, frame));
                Ok(())
            }
            frame => self.rib_message(self.rib_epoch, frame).await,
        }
    }

    /// Handles the messages of the rib that waited, in order, until one
    /// starts a batch that is not written yet.
    pub(super) async fn drain_backlog(&mut self) -> Result<()> {
        while self.job.is_none() {
            let Some((epoch, frame)) = self.backlog.pop_front() else {
                return Ok(());
            };
            self.rib_message(epoch, frame).await?;
        }
        Ok(())
    }

    async fn rib_message(&mut self, epoch: u64, frame: RibFrame) -> Result<()> {
        match frame {
            RibFrame::Changes(batch) => self.changes(epoch, batch).await,
            RibFrame::Other(msg) => self.on_rib(msg).await,
        }
    }

    /// Acknowledges `seq` to the rib it came from, if that rib still runs.
    async fn ack_from(&mut self, epoch: u64, seq: u64) -> Result<()> {
        if epoch == self.rib_epoch {
            self.ack(seq).await?;
        }
        Ok(())
    }

    /// A batch of changes: written on an established session (starting
    /// now), acknowledged at once otherwise.
    pub(super) async fn changes(&mut self, epoch: u64, batch: ChangesFrame) -> Result<()> {
        let seq = batch.seq;
        let (Some(live), Some(ctx), true) = (
            self.live.as_ref(),
            self.ctx.as_ref(),
            self.fsm.is_established(),
        ) else {
            return self.ack_from(epoch, seq).await;
        };
        let conn = live.id;
        let operational = self.negotiated.as_ref().is_some_and(|n| n.operational);
        match BatchEncoder::new(batch, ctx, &self.cfg, operational) {
            Ok(encoder) => {
                self.burst_bytes = self.burst_bytes.saturating_add(encoder.held_bytes());
                if encoder.has_eor() {
                    self.eor_sent = true;
                }
                self.job = Some(Job {
                    encoder,
                    conn,
                    epoch,
                    marks: Vec::new(),
                });
                self.pump().await
            }
            Err(e) => {
                tracing::error!("cannot encode changes {seq}: {e}");
                self.ack_from(epoch, seq).await?;
                self.input(Input::Fatal {
                    conn,
                    notify: notify::with_text(6, 0, &e.to_string()),
                })
                .await
            }
        }
    }

    /// Hands the writer the batch's next chunks while fewer than
    /// [`CHUNKS_IN_FLIGHT`] wait there; once the last is handed over,
    /// queues the batch's acknowledgement and ends the job.
    pub(super) async fn pump(&mut self) -> Result<()> {
        loop {
            let Some(job) = self.job.as_mut() else {
                return Ok(());
            };
            let (Some(live), Some(ctx)) = (
                self.live.as_mut().filter(|l| l.id == job.conn),
                self.ctx.as_ref(),
            ) else {
                // the connection is gone: see `drop_job`
                return self.drop_job().await;
            };
            if job.marks.len() >= CHUNKS_IN_FLIGHT {
                return Ok(());
            }
            let mut chunk = Vec::new();
            let seq = job.encoder.seq();
            if let Err(e) = job
                .encoder
                .next_chunk(ctx, &self.cfg, CHUNK_BYTES, &mut chunk)
            {
                tracing::error!("cannot encode changes {seq}: {e}");
                let (conn, epoch) = (job.conn, job.epoch);
                self.job = None;
                self.ack_from(epoch, seq).await?;
                return self
                    .input(Input::Fatal {
                        conn,
                        notify: notify::with_text(6, 0, &e.to_string()),
                    })
                    .await;
            }
            for m in &chunk {
                if let Some(k) = m.bytes.get(18) {
                    self.counters.0.count(*k);
                    self.counted = true;
                }
            }
            let token = self.next_token;
            self.next_token += 1;
            let done = job.encoder.is_done();
            if done {
                if job.epoch == self.rib_epoch {
                    live.unacked.insert(token, seq);
                }
                self.job = None;
            } else {
                job.marks.push(token);
            }
            let report = self.cfg.report_sent;
            for m in chunk {
                if report {
                    if let Some(rib) = self.rib.as_mut() {
                        let _ = rib
                            .tx
                            .send(&SessionToRib::Message {
                                direction: Direction::Send,
                                raw: m.bytes.clone(),
                            })
                            .await;
                    }
                }
                if let Some(live) = self.live.as_ref() {
                    live.tasks.send(m.bytes, m.update);
                }
            }
            if let Some(live) = self.live.as_ref() {
                let _ = live.tasks.tx.send(WriteCmd::Ack(token));
            }
            if done {
                return Ok(());
            }
        }
    }

    /// The writer wrote up to the mark `token`: true if it was one of the
    /// batch's (the next chunk may go).
    pub(super) async fn chunk_written(&mut self, token: u64) -> Result<bool> {
        let Some(job) = self.job.as_mut() else {
            return Ok(false);
        };
        let Some(i) = job.marks.iter().position(|t| *t == token) else {
            return Ok(false);
        };
        job.marks.remove(i);
        self.pump().await?;
        Ok(true)
    }

    /// The connection of the batch being written closed: the rest is not
    /// written (the Adj-RIB-Out has it and sends it all when the session
    /// is back), the batch is acknowledged as one never written is.
    pub(super) async fn drop_job(&mut self) -> Result<()> {
        if let Some(job) = self.job.take() {
            self.ack_from(job.epoch, job.encoder.seq()).await?;
        }
        Ok(())
    }
}

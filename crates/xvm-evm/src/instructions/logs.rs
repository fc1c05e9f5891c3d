//! Logging: LOG0..LOG4.

use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::status::StatusCode;
use alloy_primitives::B256;

impl<H: Host + ?Sized> Frame<'_, H> {
    /// LOGn with `n` topics.
    #[inline(never)]
    pub(crate) fn op_log(&mut self, n: usize) -> OpResult {
        if self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let off = self.mem(offset, size)?;
        let len = if size.is_zero() {
            0
        } else {
            size.to::<usize>()
        };
        self.charge(8 * len as i64)?;
        let mut topics = [B256::ZERO; 4];
        for t in topics.iter_mut().take(n) {
            *t = B256::from(self.stack.pop());
        }
        let data = &self.memory.data()[off..off + len];
        self.host.emit_log(&self.msg.recipient, &topics[..n], data);
        Ok(())
    }
}

//! Storage: SLOAD, SSTORE (EIP-1283/2200/2929/3529 via the host's storage status), TLOAD, TSTORE.

use super::COLD_SLOAD_SURCHARGE;
use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::revision::Revision;
use crate::status::{AccessStatus, StatusCode, StorageStatus};

/// SSTORE cost parameters of a revision.
struct SstoreCosts {
    /// Whether net gas metering applies (EIP-1283 in Constantinople, EIP-2200 from Istanbul).
    net: bool,
    /// Cost of a no-op or dirty write under net metering.
    warm: i64,
    /// Cost of writing a non-zero value to a zero slot.
    set: i64,
    /// Cost of changing a non-zero slot.
    reset: i64,
    /// Refund for clearing a slot.
    clear: i64,
}

fn sstore_costs(rev: Revision) -> SstoreCosts {
    use Revision::*;
    match rev {
        Constantinople => SstoreCosts {
            net: true,
            warm: 200,
            set: 20000,
            reset: 5000,
            clear: 15000,
        },
        r if r >= London => SstoreCosts {
            net: true,
            warm: 100,
            set: 20000,
            reset: 2900,
            clear: 4800,
        },
        Berlin => SstoreCosts {
            net: true,
            warm: 100,
            set: 20000,
            reset: 2900,
            clear: 15000,
        },
        r if r >= Istanbul => SstoreCosts {
            net: true,
            warm: 800,
            set: 20000,
            reset: 5000,
            clear: 15000,
        },
        _ => SstoreCosts {
            net: false,
            warm: 5000,
            set: 20000,
            reset: 5000,
            clear: 15000,
        },
    }
}

/// Gas cost and refund of an SSTORE with the given storage status (cold surcharge excluded).
pub(crate) fn sstore_cost(rev: Revision, status: StorageStatus) -> (i64, i64) {
    use StorageStatus::*;
    let c = sstore_costs(rev);
    if !c.net {
        // Legacy rules: 20000 when writing non-zero over zero, else 5000; refund when clearing.
        return match status {
            Added | DeletedAdded | DeletedRestored => (c.set, 0),
            Deleted | ModifiedDeleted | AddedDeleted => (c.reset, c.clear),
            Modified | ModifiedRestored | Assigned => (c.reset, 0),
        };
    }
    match status {
        Assigned => (c.warm, 0),
        Added => (c.set, 0),
        Deleted => (c.reset, c.clear),
        Modified => (c.reset, 0),
        DeletedAdded => (c.warm, -c.clear),
        ModifiedDeleted => (c.warm, c.clear),
        DeletedRestored => (c.warm, c.reset - c.warm - c.clear),
        AddedDeleted => (c.warm, c.set - c.warm),
        ModifiedRestored => (c.warm, c.reset - c.warm),
    }
}

impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(never)]
    pub(crate) fn op_sload(&mut self) -> OpResult {
        let key = self.stack.peek(0);
        if self.rev >= Revision::Berlin
            && self.host.access_storage(&self.msg.recipient, &key) == AccessStatus::Cold
        {
            self.charge(COLD_SLOAD_SURCHARGE)?;
        }
        *self.stack.peek_mut(0) = self.host.get_storage(&self.msg.recipient, &key);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn op_sstore(&mut self) -> OpResult {
        if self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        // EIP-2200: SSTORE needs more than the call stipend left.
        if self.rev >= Revision::Istanbul && self.gas <= 2300 {
            return Err(StatusCode::OutOfGas);
        }
        let key = self.stack.pop();
        let value = self.stack.pop();
        let mut cold = 0;
        if self.rev >= Revision::Berlin
            && self.host.access_storage(&self.msg.recipient, &key) == AccessStatus::Cold
        {
            cold = 2100;
        }
        let status = self.host.set_storage(&self.msg.recipient, &key, &value);
        let (cost, refund) = sstore_cost(self.rev, status);
        self.charge(cost + cold)?;
        self.refund += refund;
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn op_tload(&mut self) {
        let key = self.stack.peek(0);
        *self.stack.peek_mut(0) = self.host.get_transient_storage(&self.msg.recipient, &key);
    }

    pub(crate) fn op_tstore(&mut self) -> OpResult {
        if self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        let key = self.stack.pop();
        let value = self.stack.pop();
        self.host
            .set_transient_storage(&self.msg.recipient, &key, &value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StorageStatus::*;

    #[test]
    fn sstore_costs_per_fork() {
        assert_eq!(sstore_cost(Revision::Frontier, Added), (20000, 0));
        assert_eq!(sstore_cost(Revision::Frontier, Deleted), (5000, 15000));
        assert_eq!(sstore_cost(Revision::Petersburg, Assigned), (5000, 0));
        assert_eq!(sstore_cost(Revision::Constantinople, Assigned), (200, 0));
        assert_eq!(sstore_cost(Revision::Istanbul, AddedDeleted), (800, 19200));
        assert_eq!(
            sstore_cost(Revision::Istanbul, DeletedRestored),
            (800, -10800)
        );
        assert_eq!(sstore_cost(Revision::Berlin, Modified), (2900, 0));
        assert_eq!(sstore_cost(Revision::London, Deleted), (2900, 4800));
        assert_eq!(sstore_cost(Revision::London, ModifiedRestored), (100, 2800));
        assert_eq!(sstore_cost(Revision::London, DeletedAdded), (100, -4800));
    }
}

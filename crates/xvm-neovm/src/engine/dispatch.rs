//! The instruction handlers: one `match` over the opcode, inlined into the run loop.

use super::{
    item_string, key_text, overflow, ExecutionEngine, Interop, SlotKind, TryFrame, TryState,
};
use crate::buffer::BufferBytes;
use crate::error::{fault, throw_msg, VmError};
use crate::int::Int;
use crate::item::{ItemType, MapItem, MapKey, Pointer, StackItem};
use crate::opcode::OpCode;
use crate::script::Decoded;

impl ExecutionEngine {
    // ---------------------------------------------------------------- dispatch

    #[inline(always)]
    pub(super) fn dispatch<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
    ) -> Result<(), VmError> {
        use OpCode as O;
        let op = ins.op();
        let ipi = ip as i64;
        match op {
            // ------------------------------------------------------------ constants
            O::PUSHINT8 => self.push(StackItem::Integer(Int::from(ins.imm as i8 as i64))),
            O::PUSHINT16 => self.push(StackItem::Integer(Int::from(ins.imm as i16 as i64))),
            O::PUSHINT32 => self.push(StackItem::Integer(Int::from(ins.imm as i32 as i64))),
            O::PUSHINT64 => self.push(StackItem::Integer(Int::from(ins.imm as i64))),
            O::PUSHINT128 | O::PUSHINT256 => {
                let script = self.current().script.clone();
                let v = Int::from_le_bytes(script.operand(ip, &ins)).ok_or_else(overflow)?;
                self.push(StackItem::Integer(v));
            }
            O::PUSHT => self.push(StackItem::Boolean(true)),
            O::PUSHF => self.push(StackItem::Boolean(false)),
            O::PUSHA => {
                let pos = ipi + ins.i32() as i64;
                let script = self.current().script.clone();
                if pos < 0 || pos as usize > script.len() {
                    return Err(fault(format!("Bad pointer address: {pos}")));
                }
                self.push(StackItem::Pointer(Pointer {
                    script,
                    position: pos as usize,
                }));
            }
            O::PUSHNULL => self.push(StackItem::Null),
            O::PUSHDATA1 | O::PUSHDATA2 | O::PUSHDATA4 => {
                let script = self.current().script.clone();
                let data = script.pushdata(ip, &ins);
                self.assert_item_size(data.len())?;
                self.push(StackItem::ByteString(data));
            }
            O::PUSHM1 => self.push(StackItem::Integer(Int::MINUS_ONE)),
            O::PUSH0
            | O::PUSH1
            | O::PUSH2
            | O::PUSH3
            | O::PUSH4
            | O::PUSH5
            | O::PUSH6
            | O::PUSH7
            | O::PUSH8
            | O::PUSH9
            | O::PUSH10
            | O::PUSH11
            | O::PUSH12
            | O::PUSH13
            | O::PUSH14
            | O::PUSH15
            | O::PUSH16 => {
                self.push(StackItem::Integer(Int::from((op.0 - O::PUSH0.0) as i64)));
            }

            // ------------------------------------------------------------ flow control
            O::NOP => {}
            O::JMP => self.jump(ipi + ins.i8() as i64)?,
            O::JMP_L => self.jump(ipi + ins.i32() as i64)?,
            O::JMPIF | O::JMPIF_L | O::JMPIFNOT | O::JMPIFNOT_L => {
                let off = if op == O::JMPIF || op == O::JMPIFNOT {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let want = op == O::JMPIF || op == O::JMPIF_L;
                if self.pop_bool()? == want {
                    self.jump(ipi + off)?;
                }
            }
            O::JMPEQ
            | O::JMPEQ_L
            | O::JMPNE
            | O::JMPNE_L
            | O::JMPGT
            | O::JMPGT_L
            | O::JMPGE
            | O::JMPGE_L
            | O::JMPLT
            | O::JMPLT_L
            | O::JMPLE
            | O::JMPLE_L => {
                let short = (op.0 - O::JMPEQ.0) % 2 == 0;
                let off = if short {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let cond = match op {
                    O::JMPEQ | O::JMPEQ_L => x1 == x2,
                    O::JMPNE | O::JMPNE_L => x1 != x2,
                    O::JMPGT | O::JMPGT_L => x1 > x2,
                    O::JMPGE | O::JMPGE_L => x1 >= x2,
                    O::JMPLT | O::JMPLT_L => x1 < x2,
                    _ => x1 <= x2,
                };
                if cond {
                    self.jump(ipi + off)?;
                }
            }
            O::CALL => self.call(host, ipi + ins.i8() as i64)?,
            O::CALL_L => self.call(host, ipi + ins.i32() as i64)?,
            O::CALLA => {
                let item = self.pop()?;
                let StackItem::Pointer(p) = item else {
                    return Err(fault(format!(
                        "CALLA expects a Pointer, found {}",
                        item.item_type().name()
                    )));
                };
                if !p.script.same(&self.current().script) {
                    return Err(fault("Pointers can't be shared between scripts"));
                }
                self.call(host, p.position as i64)?;
            }
            O::CALLT => host.call_token(self, ins.u16())?,
            O::ABORT => return Err(fault("ABORT is executed.")),
            O::ASSERT => {
                if !self.pop_bool()? {
                    return Err(fault("ASSERT is executed with false result."));
                }
            }
            O::THROW => {
                // Unwinds here, as returning `VmError::Throw` would, without boxing the item.
                let ex = self.pop()?;
                self.throw(host, ex)?;
            }
            O::TRY | O::TRY_L => {
                let (c, f) = if op == O::TRY {
                    (ins.i8() as i64, ins.u8_1() as i8 as i64)
                } else {
                    (ins.i32() as i64, ins.i32_1() as i64)
                };
                let max = self.limits.max_try_nesting_depth;
                if c == 0 && f == 0 {
                    return Err(fault(format!(
                        "catchOffset and finallyOffset can't be 0 in a TRY block at {ip}"
                    )));
                }
                let ctx = self.current();
                if ctx.try_stack.len() >= max {
                    return Err(fault("MaxTryNestingDepth exceed."));
                }
                ctx.try_stack.push(TryFrame {
                    catch: if c == 0 { -1 } else { ipi + c },
                    finally: if f == 0 { -1 } else { ipi + f },
                    end: -1,
                    state: TryState::Try,
                });
            }
            O::ENDTRY | O::ENDTRY_L => {
                let off = if op == O::ENDTRY {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let ci = self.contexts.len() - 1;
                let frame = self.contexts[ci]
                    .try_stack
                    .last_mut()
                    .ok_or_else(|| fault("The corresponding TRY block cannot be found."))?;
                if frame.state == TryState::Finally {
                    return Err(fault(
                        "The opcode ENDTRY can't be executed in a FINALLY block.",
                    ));
                }
                let end = ipi + off;
                if frame.finally >= 0 {
                    frame.state = TryState::Finally;
                    frame.end = end;
                    let fin = frame.finally;
                    self.set_ip(ci, fin)?;
                } else {
                    self.contexts[ci].try_stack.pop();
                    self.set_ip(ci, end)?;
                }
                self.jumping = true;
            }
            O::ENDFINALLY => {
                let ci = self.contexts.len() - 1;
                let frame = self.contexts[ci]
                    .try_stack
                    .pop()
                    .ok_or_else(|| fault("The corresponding TRY block cannot be found."))?;
                if self.uncaught.is_none() {
                    self.set_ip(ci, frame.end)?;
                } else {
                    self.handle_exception(host)?;
                }
                self.jumping = true;
            }
            O::RET => self.ret(host)?,
            O::SYSCALL => host.syscall(self, ins.u32())?,

            // ------------------------------------------------------------ stack
            O::DEPTH => {
                let n = self.eval().len();
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::DROP => {
                self.pop()?;
            }
            O::NIP => {
                self.remove_at(1)?;
            }
            O::XDROP => {
                let n = self.pop_count(op)?;
                self.remove_at(n)?;
            }
            O::CLEAR => {
                let items = std::mem::take(self.eval());
                for x in &items {
                    self.remove_ref(x);
                }
            }
            O::DUP => {
                let x = self.peek(0)?.clone_fast();
                self.push(x);
            }
            O::OVER => {
                let x = self.peek(1)?.clone_fast();
                self.push(x);
            }
            O::PICK => {
                let n = self.pop_count(op)?;
                let x = self.peek(n)?.clone_fast();
                self.push(x);
            }
            O::TUCK => {
                let x = self.peek(0)?.clone_fast();
                let eval = self.eval();
                let len = eval.len();
                if len < 2 {
                    return Err(fault("TUCK needs two items"));
                }
                eval.insert(len - 2, x.clone());
                self.add_ref(&x);
            }
            O::SWAP => {
                let eval = self.eval();
                let len = eval.len();
                if len < 2 {
                    return Err(fault("SWAP needs two items"));
                }
                eval.swap(len - 1, len - 2);
            }
            O::ROT => {
                let eval = self.eval();
                let len = eval.len();
                if len < 3 {
                    return Err(fault("ROT needs three items"));
                }
                let x = eval.remove(len - 3);
                eval.push(x);
            }
            O::ROLL => {
                let n = self.pop_count(op)?;
                let eval = self.eval();
                let len = eval.len();
                if n >= len {
                    return Err(fault(format!("ROLL out of bounds: {n}/{len}")));
                }
                if n != 0 {
                    let x = eval.remove(len - 1 - n);
                    eval.push(x);
                }
            }
            O::REVERSE3 => self.reverse_top(3)?,
            O::REVERSE4 => self.reverse_top(4)?,
            O::REVERSEN => {
                let n = self.pop_count(op)?;
                self.reverse_top(n)?;
            }

            // ------------------------------------------------------------ slots
            O::INITSSLOT => {
                let ci = self.contexts.len() - 1;
                let sh = self.contexts[ci].shared;
                if self.shared[sh].statics.is_some() {
                    return Err(fault("INITSSLOT cannot be executed twice."));
                }
                let n = ins.u8() as usize;
                if n == 0 {
                    return Err(fault("The operand 0 is invalid for OpCode.INITSSLOT."));
                }
                self.shared[sh].statics = Some(vec![StackItem::Null; n]);
                self.refs += n;
            }
            O::INITSLOT => {
                let ctx = self.current();
                if ctx.locals.is_some() || ctx.args.is_some() {
                    return Err(fault("INITSLOT cannot be executed twice."));
                }
                let (nl, na) = (ins.u8() as usize, ins.u8_1() as usize);
                if nl == 0 && na == 0 {
                    return Err(fault("The operand 0 is invalid for OpCode.INITSLOT."));
                }
                if nl > 0 {
                    let mut locals = self.slot_vec(nl);
                    locals.resize(nl, StackItem::Null);
                    self.current().locals = Some(locals);
                    self.refs += nl;
                }
                if na > 0 {
                    let mut args = self.slot_vec(na);
                    for _ in 0..na {
                        args.push(self.pop()?);
                    }
                    for a in &args {
                        self.add_ref(a);
                    }
                    self.current().args = Some(args);
                }
            }
            O::LDLOC0 | O::LDLOC1 | O::LDLOC2 | O::LDLOC3 | O::LDLOC4 | O::LDLOC5 | O::LDLOC6 => {
                self.slot_load(SlotKind::Local, (op.0 - O::LDLOC0.0) as usize)?
            }
            O::LDLOC => self.slot_load(SlotKind::Local, ins.u8() as usize)?,
            O::STLOC0 | O::STLOC1 | O::STLOC2 | O::STLOC3 | O::STLOC4 | O::STLOC5 | O::STLOC6 => {
                self.slot_store(SlotKind::Local, (op.0 - O::STLOC0.0) as usize)?
            }
            O::STLOC => self.slot_store(SlotKind::Local, ins.u8() as usize)?,
            O::LDARG0 | O::LDARG1 | O::LDARG2 | O::LDARG3 | O::LDARG4 | O::LDARG5 | O::LDARG6 => {
                self.slot_load(SlotKind::Argument, (op.0 - O::LDARG0.0) as usize)?
            }
            O::LDARG => self.slot_load(SlotKind::Argument, ins.u8() as usize)?,
            O::STARG0 | O::STARG1 | O::STARG2 | O::STARG3 | O::STARG4 | O::STARG5 | O::STARG6 => {
                self.slot_store(SlotKind::Argument, (op.0 - O::STARG0.0) as usize)?
            }
            O::STARG => self.slot_store(SlotKind::Argument, ins.u8() as usize)?,
            O::LDSFLD0
            | O::LDSFLD1
            | O::LDSFLD2
            | O::LDSFLD3
            | O::LDSFLD4
            | O::LDSFLD5
            | O::LDSFLD6 => self.slot_load(SlotKind::Static, (op.0 - O::LDSFLD0.0) as usize)?,
            O::LDSFLD => self.slot_load(SlotKind::Static, ins.u8() as usize)?,
            O::STSFLD0
            | O::STSFLD1
            | O::STSFLD2
            | O::STSFLD3
            | O::STSFLD4
            | O::STSFLD5
            | O::STSFLD6 => self.slot_store(SlotKind::Static, (op.0 - O::STSFLD0.0) as usize)?,
            O::STSFLD => self.slot_store(SlotKind::Static, ins.u8() as usize)?,

            // ------------------------------------------------------------ splice
            O::NEWBUFFER => {
                let n = self.pop_i32()?;
                if n < 0 {
                    return Err(fault(format!("MaxItemSize exceed: {n}")));
                }
                self.assert_item_size(n as usize)?;
                self.push(StackItem::buffer(vec![0; n as usize]));
            }
            O::MEMCPY => {
                let count = self.pop_count(op)?;
                let si = self.pop_count(op)?;
                let src = self.pop()?;
                let di = self.pop_count(op)?;
                let dst = self.pop()?;
                let src_bytes = src.with_bytes(|s| {
                    if si + count > s.len() {
                        Err(fault(format!(
                            "The source index {si} + count {count} is out of range"
                        )))
                    } else {
                        Ok(s[si..si + count].to_vec())
                    }
                })??;
                let StackItem::Buffer(d) = dst else {
                    return Err(fault(format!(
                        "MEMCPY needs a Buffer, found {}",
                        dst.item_type().name()
                    )));
                };
                let mut d = d.borrow_mut();
                if di + count > d.len() {
                    return Err(fault(format!(
                        "The destination index {di} + count {count} is out of range"
                    )));
                }
                d[di..di + count].copy_from_slice(&src_bytes);
            }
            O::CAT => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                // The size is checked before anything is allocated (as neo-vm does).
                let len = x1.with_bytes(<[u8]>::len)? + x2.with_bytes(<[u8]>::len)?;
                self.assert_item_size(len)?;
                let out = x1.with_bytes(|a| x2.with_bytes(|b| BufferBytes::concat(a, b)))??;
                self.push(StackItem::buffer(out));
            }
            O::SUBSTR => {
                let count = self.pop_count(op)?;
                let index = self.pop_count(op)?;
                let x = self.pop()?;
                let out = x.with_bytes(|b| {
                    if index + count > b.len() {
                        Err(fault(format!(
                            "SUBSTR index {index} + count {count} out of range {}",
                            b.len()
                        )))
                    } else {
                        Ok(BufferBytes::from(&b[index..index + count]))
                    }
                })??;
                self.push(StackItem::buffer(out));
            }
            O::LEFT | O::RIGHT => {
                let count = self.pop_count(op)?;
                let x = self.pop()?;
                let out = x.with_bytes(|b| {
                    if count > b.len() {
                        Err(fault(format!(
                            "{op} count {count} out of range {}",
                            b.len()
                        )))
                    } else if op == O::LEFT {
                        Ok(BufferBytes::from(&b[..count]))
                    } else {
                        Ok(BufferBytes::from(&b[b.len() - count..]))
                    }
                })??;
                self.push(StackItem::buffer(out));
            }

            // ------------------------------------------------------------ bitwise logic
            O::INVERT => {
                let x = self.pop_int()?;
                self.push(StackItem::Integer(x.bit_not()));
            }
            O::AND | O::OR | O::XOR => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let r = match op {
                    O::AND => x1.and(x2),
                    O::OR => x1.or(x2),
                    _ => x1.xor(x2),
                };
                self.push(StackItem::Integer(r));
            }
            O::EQUAL | O::NOTEQUAL => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                let eq = x1.equals(&x2, &self.limits)?;
                self.push(StackItem::Boolean(eq == (op == O::EQUAL)));
            }

            // ------------------------------------------------------------ arithmetic
            O::SIGN => {
                let x = self.pop_int()?;
                self.push(StackItem::Integer(Int::from(x.signum() as i64)));
            }
            O::INC | O::DEC => {
                // In place when the top is an Integer (pop and push of a plain item leave the
                // reference count as it was); an overflow pops it, as the reference does.
                let inc = op == O::INC;
                if let Some(StackItem::Integer(x)) = self.eval().last_mut() {
                    let r = if inc {
                        x.checked_add(Int::ONE)
                    } else {
                        x.checked_sub(Int::ONE)
                    };
                    if let Some(r) = r {
                        *x = r;
                        return Ok(());
                    }
                }
                let x = self.pop_int()?;
                let r = if inc {
                    x.checked_add(Int::ONE)
                } else {
                    x.checked_sub(Int::ONE)
                };
                self.push(StackItem::Integer(r.ok_or_else(overflow)?));
            }
            O::ABS | O::NEGATE => {
                let x = self.pop_int()?;
                let r = match op {
                    O::ABS => x.checked_abs(),
                    _ => x.checked_neg(),
                };
                self.push(StackItem::Integer(r.ok_or_else(overflow)?));
            }
            O::ADD | O::SUB | O::MUL | O::DIV | O::MOD | O::MIN | O::MAX => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let r = match op {
                    O::ADD => x1.checked_add(x2),
                    O::SUB => x1.checked_sub(x2),
                    O::MUL => x1.checked_mul(x2),
                    O::DIV => {
                        if x2.is_zero() {
                            return Err(fault("Attempted to divide by zero."));
                        }
                        x1.checked_div(x2)
                    }
                    O::MOD => {
                        if x2.is_zero() {
                            return Err(fault("Attempted to divide by zero."));
                        }
                        x1.checked_rem(x2)
                    }
                    O::MIN => Some(x1.min(x2)),
                    _ => Some(x1.max(x2)),
                };
                self.push(StackItem::Integer(r.ok_or_else(overflow)?));
            }
            O::POW => {
                let e = self.pop_i32()?;
                self.assert_shift(e)?;
                let v = self.pop_int()?;
                self.push(StackItem::Integer(
                    v.checked_pow(e as u32).ok_or_else(overflow)?,
                ));
            }
            O::SQRT => {
                let v = self.pop_int()?;
                self.push(StackItem::Integer(
                    v.sqrt().ok_or_else(|| fault("value can not be negative"))?,
                ));
            }
            O::MODMUL => {
                let m = self.pop_int()?;
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                self.push(StackItem::Integer(
                    x1.mod_mul(x2, m)
                        .ok_or_else(|| fault("Attempted to divide by zero."))?,
                ));
            }
            O::MODPOW => {
                let m = self.pop_int()?;
                let e = self.pop_int()?;
                let v = self.pop_int()?;
                let r = if e == Int::MINUS_ONE {
                    v.mod_inverse(m)
                } else {
                    v.mod_pow(e, m)
                };
                self.push(StackItem::Integer(
                    r.ok_or_else(|| fault("Invalid MODPOW operands"))?,
                ));
            }
            O::SHL | O::SHR => {
                let shift = self.pop_i32()?;
                self.assert_shift(shift)?;
                let x = self.pop_int()?;
                let r = if op == O::SHL {
                    x.checked_shl(shift as u32).ok_or_else(overflow)?
                } else {
                    x.arith_shr(shift as u32)
                };
                self.push(StackItem::Integer(r));
            }
            O::NOT => {
                let x = self.pop_bool()?;
                self.push(StackItem::Boolean(!x));
            }
            O::BOOLAND | O::BOOLOR => {
                let x2 = self.pop_bool()?;
                let x1 = self.pop_bool()?;
                self.push(StackItem::Boolean(if op == O::BOOLAND {
                    x1 && x2
                } else {
                    x1 || x2
                }));
            }
            O::NZ => {
                let x = self.pop_int()?;
                self.push(StackItem::Boolean(!x.is_zero()));
            }
            O::NUMEQUAL | O::NUMNOTEQUAL => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                self.push(StackItem::Boolean((x1 == x2) == (op == O::NUMEQUAL)));
            }
            O::LT | O::LE | O::GT | O::GE => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                let r = if x1.is_null() || x2.is_null() {
                    false
                } else {
                    let (a, b) = (x1.to_int()?, x2.to_int()?);
                    match op {
                        O::LT => a < b,
                        O::LE => a <= b,
                        O::GT => a > b,
                        _ => a >= b,
                    }
                };
                self.push(StackItem::Boolean(r));
            }
            O::WITHIN => {
                let b = self.pop_int()?;
                let a = self.pop_int()?;
                let x = self.pop_int()?;
                self.push(StackItem::Boolean(a <= x && x < b));
            }

            // ------------------------------------------------------------ compound types
            O::PACKMAP => {
                let size = self.pop_i32()?;
                let count = self.eval().len();
                if size < 0 || size as i64 * 2 > count as i64 {
                    return Err(fault(format!(
                        "The map size is out of valid range, 2*{size}/[0, {count}]."
                    )));
                }
                let map = MapItem::new();
                for _ in 0..size {
                    let key = self.pop()?.to_map_key()?;
                    let value = self.pop()?;
                    self.map_set(&map, key, value);
                }
                self.push(StackItem::Map(map));
            }
            O::PACK | O::PACKSTRUCT => {
                let size = self.pop_i32()?;
                let count = self.eval().len();
                if size < 0 || size as usize > count {
                    let what = if op == O::PACK { "array" } else { "struct" };
                    return Err(fault(format!(
                        "The {what} size is out of valid range, {size}/[0, {count}]."
                    )));
                }
                let mut items = Vec::with_capacity(size as usize);
                for _ in 0..size {
                    items.push(self.pop()?);
                }
                self.push(if op == O::PACK {
                    StackItem::array(items)
                } else {
                    StackItem::new_struct(items)
                });
            }
            O::UNPACK => {
                let x = self.pop()?;
                let n = match &x {
                    StackItem::Map(m) => {
                        let entries: Vec<(MapKey, StackItem)> = m
                            .entries()
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        for (k, v) in entries.into_iter().rev() {
                            self.push(v);
                            self.push(k.to_item());
                        }
                        m.len()
                    }
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let items = a.items();
                        for v in items.iter().rev() {
                            self.push(v.clone_fast());
                        }
                        items.len()
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for UNPACK: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::NEWARRAY0 => self.push(StackItem::array(Vec::new())),
            O::NEWSTRUCT0 => self.push(StackItem::new_struct(Vec::new())),
            O::NEWARRAY | O::NEWSTRUCT | O::NEWARRAY_T => {
                let n = self.pop_i32()?;
                if n < 0 || n as usize > self.limits.max_stack_size {
                    let what = if op == O::NEWSTRUCT {
                        "struct"
                    } else {
                        "array"
                    };
                    return Err(fault(format!(
                        "The {what} size is out of valid range, {n}/[0, {}].",
                        self.limits.max_stack_size
                    )));
                }
                let fill = if op == O::NEWARRAY_T {
                    match ItemType::from_byte(ins.u8()) {
                        None => {
                            return Err(fault(format!("Invalid type for NEWARRAY_T: {}", ins.u8())))
                        }
                        Some(ItemType::Boolean) => StackItem::Boolean(false),
                        Some(ItemType::Integer) => StackItem::Integer(Int::ZERO),
                        Some(ItemType::ByteString) => StackItem::bytes(&[]),
                        Some(_) => StackItem::Null,
                    }
                } else {
                    StackItem::Null
                };
                let items = vec![fill; n as usize];
                self.push(if op == O::NEWSTRUCT {
                    StackItem::new_struct(items)
                } else {
                    StackItem::array(items)
                });
            }
            O::NEWMAP => self.push(StackItem::Map(MapItem::new())),
            O::SIZE => {
                let x = self.pop()?;
                let n = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.len(),
                    StackItem::Map(m) => m.len(),
                    StackItem::Buffer(b) => b.borrow().len(),
                    StackItem::Boolean(_) => 1,
                    StackItem::Integer(i) => i.byte_len(),
                    StackItem::ByteString(b) => b.len(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for SIZE: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::HASKEY => {
                let key = self.pop()?;
                let pk = key.to_primitive_key()?;
                let x = self.pop()?;
                let r = match &x {
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        m.entries().contains_key(&k)
                    }
                    StackItem::Array(_)
                    | StackItem::Struct(_)
                    | StackItem::Buffer(_)
                    | StackItem::ByteString(_) => {
                        let _ = pk;
                        let index = key.to_int()?;
                        if index.is_negative()
                            || index >= Int::from(self.limits.max_item_size as i64)
                        {
                            return Err(fault(format!(
                                "The index {index} is invalid for OpCode HASKEY."
                            )));
                        }
                        let len = match &x {
                            StackItem::Array(a) | StackItem::Struct(a) => a.len(),
                            StackItem::Buffer(b) => b.borrow().len(),
                            StackItem::ByteString(b) => b.len(),
                            _ => 0,
                        };
                        index < Int::from(len as i64)
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for HASKEY: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Boolean(r));
            }
            O::KEYS => {
                let x = self.pop()?;
                let StackItem::Map(m) = &x else {
                    return Err(fault(format!(
                        "Invalid type for KEYS: {}",
                        x.item_type().name()
                    )));
                };
                let keys: Vec<StackItem> = m.entries().keys().map(MapKey::to_item).collect();
                self.push(StackItem::array(keys));
            }
            O::VALUES => {
                let x = self.pop()?;
                let values: Vec<StackItem> = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.items().clone(),
                    StackItem::Map(m) => m.entries().values().cloned().collect(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for VALUES: {}",
                            other.item_type().name()
                        )))
                    }
                };
                let mut out = Vec::with_capacity(values.len());
                for v in values {
                    out.push(self.clone_if_struct(v)?);
                }
                self.push(StackItem::array(out));
            }
            O::PICKITEM => {
                let key = self.pop()?;
                let pk = key.to_primitive_key()?;
                let x = self.pop()?;
                let item = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        match index.to_i64().filter(|&i| i >= 0 && (i as usize) < len) {
                            Some(i) => a.items()[i as usize].clone(),
                            None => {
                                return Err(throw_msg(format!(
                                    "The index of VMArray is out of range, {index}/[0, {len})."
                                )))
                            }
                        }
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        let v = m.entries().get(&k).cloned();
                        match v {
                            Some(v) => v,
                            None => {
                                return Err(throw_msg(format!(
                                    "Key {} not found in Map.",
                                    key_text(&pk)
                                )))
                            }
                        }
                    }
                    StackItem::Boolean(_)
                    | StackItem::Integer(_)
                    | StackItem::ByteString(_)
                    | StackItem::Buffer(_) => {
                        let index = key.to_int()?;
                        let (byte, len) = x.with_bytes(|b| {
                            let byte = index
                                .to_i64()
                                .filter(|&i| i >= 0 && (i as usize) < b.len())
                                .map(|i| b[i as usize]);
                            (byte, b.len())
                        })?;
                        match byte {
                            Some(b) => StackItem::Integer(Int::from(b as i64)),
                            None => {
                                let kind = if matches!(x, StackItem::Buffer(_)) {
                                    "Buffer"
                                } else {
                                    "PrimitiveType"
                                };
                                return Err(throw_msg(format!(
                                    "The index of {kind} is out of range, {index}/[0, {len})."
                                )));
                            }
                        }
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for PICKITEM: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(item);
            }
            O::APPEND => {
                let item = self.pop()?;
                let item = self.clone_if_struct(item)?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => self.array_push(a, item),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for APPEND: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::SETITEM => {
                let value = self.pop()?;
                let value = self.clone_if_struct(value)?;
                let key = self.pop()?;
                key.to_primitive_key()?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        match index.to_i64().filter(|&i| i >= 0 && (i as usize) < len) {
                            Some(i) => self.array_set(a, i as usize, value),
                            None => {
                                return Err(throw_msg(format!(
                                    "The index of VMArray is out of range, {index}/[0, {len})."
                                )))
                            }
                        }
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        self.map_set(m, k, value);
                    }
                    StackItem::Buffer(b) => {
                        let index = key.to_int()?;
                        let len = b.borrow().len();
                        let Some(i) = index.to_i64().filter(|&i| i >= 0 && (i as usize) < len)
                        else {
                            return Err(throw_msg(format!(
                                "The index of Buffer is out of range, {index}/[0, {len})."
                            )));
                        };
                        if !matches!(
                            value,
                            StackItem::Boolean(_)
                                | StackItem::Integer(_)
                                | StackItem::ByteString(_)
                        ) {
                            return Err(fault(
                                "Only primitive type values can be set in Buffer in SETITEM.",
                            ));
                        }
                        let v = value.to_int()?;
                        if v < Int::from(-128) || v > Int::from(255) {
                            return Err(fault(format!(
                                "Overflow in SETITEM, {v} is not a byte type."
                            )));
                        }
                        let byte = v.to_i64().expect("in byte range") as u8;
                        b.borrow_mut()[i as usize] = byte;
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for SETITEM: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::REVERSEITEMS => {
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.items_mut().reverse(),
                    StackItem::Buffer(b) => b.borrow_mut().reverse(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for REVERSEITEMS: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::REMOVE => {
                let key = self.pop()?;
                key.to_primitive_key()?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        let Some(i) = index.to_i64().filter(|&i| i >= 0 && (i as usize) < len)
                        else {
                            return Err(fault(format!(
                                "The index of VMArray is out of range, {index}/[0, {len})."
                            )));
                        };
                        self.array_remove(a, i as usize);
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        self.map_remove(m, &k);
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for REMOVE: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::CLEARITEMS => {
                let x = self.pop()?;
                if !x.is_compound() {
                    return Err(fault(format!(
                        "Invalid type for CLEARITEMS: {}",
                        x.item_type().name()
                    )));
                }
                self.clear_items(&x);
            }
            O::POPITEM => {
                let x = self.pop()?;
                let (StackItem::Array(a) | StackItem::Struct(a)) = &x else {
                    return Err(fault(format!(
                        "Invalid type for POPITEM: {}",
                        x.item_type().name()
                    )));
                };
                if a.is_empty() {
                    return Err(fault("POPITEM on an empty array"));
                }
                let last = a.items().last().cloned().expect("non-empty");
                self.push(last);
                let n = a.len();
                self.array_remove(a, n - 1);
            }

            // ------------------------------------------------------------ types
            O::ISNULL => {
                let x = self.pop()?;
                self.push(StackItem::Boolean(x.is_null()));
            }
            O::ISTYPE => {
                let x = self.pop()?;
                let t = ins.u8();
                let ty = ItemType::from_byte(t).filter(|&t| t != ItemType::Any);
                let Some(ty) = ty else {
                    return Err(fault(format!("Invalid type: {t}")));
                };
                self.push(StackItem::Boolean(x.item_type() == ty));
            }
            O::CONVERT => {
                let x = self.pop()?;
                let r = x.convert_to(ins.u8())?;
                self.push(r);
            }
            O::ABORTMSG => {
                let msg = self.pop()?;
                let text = item_string(&msg)?;
                return Err(fault(format!("ABORTMSG is executed. Reason: {text}")));
            }
            O::ASSERTMSG => {
                let msg = self.pop()?;
                let text = item_string(&msg)?;
                if !self.pop_bool()? {
                    return Err(fault(format!(
                        "ASSERTMSG is executed with false result. Reason: {text}"
                    )));
                }
            }
            _ => return Err(fault(format!("Invalid opcode {op}"))),
        }
        Ok(())
    }

    pub(super) fn assert_item_size(&self, n: usize) -> Result<(), VmError> {
        if n > self.limits.max_item_size {
            return Err(fault(format!(
                "MaxItemSize exceed: {n}/{}",
                self.limits.max_item_size
            )));
        }
        Ok(())
    }

    pub(super) fn assert_shift(&self, shift: i32) -> Result<(), VmError> {
        if shift < 0 || shift as u32 > self.limits.max_shift {
            return Err(fault(format!(
                "Invalid shift value: {shift}/{}",
                self.limits.max_shift
            )));
        }
        Ok(())
    }
}

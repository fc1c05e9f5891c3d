/* A minimal EVMC ABI 12 host in plain C, for testing libxvm.so from a real C caller (and under
 * valgrind). The EVMC 12 definitions are written out here from the spec (no evmc.h needed), with
 * the header's sizes checked at compile time.
 *
 * Usage: host PATH/TO/libxvm.so [DEEP_ROUNDS]
 *   -> prints "c host: ok" and exits 0 when every check passes. With DEEP_ROUNDS > 0 it also runs
 *      a 1024-deep call chain (each frame with 64 KiB of memory, passed on as call input) that
 *      many times, checks that every result was released and prints the time and the peak
 *      memory (VmHWM) after the second and after the last round. */
#define _POSIX_C_SOURCE 199309L
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint8_t bytes[32]; } evmc_bytes32;
typedef struct { uint8_t bytes[20]; } evmc_address;

struct evmc_message {
    int kind;
    uint32_t flags;
    int32_t depth;
    int64_t gas;
    evmc_address recipient;
    evmc_address sender;
    const uint8_t* input_data;
    size_t input_size;
    evmc_bytes32 value;
    evmc_bytes32 create2_salt;
    evmc_address code_address;
    const uint8_t* code;
    size_t code_size;
};

struct evmc_tx_initcode {
    evmc_bytes32 hash;
    const uint8_t* code;
    size_t code_size;
};

struct evmc_tx_context {
    evmc_bytes32 tx_gas_price;
    evmc_address tx_origin;
    evmc_address block_coinbase;
    int64_t block_number;
    int64_t block_timestamp;
    int64_t block_gas_limit;
    evmc_bytes32 block_prev_randao;
    evmc_bytes32 chain_id;
    evmc_bytes32 block_base_fee;
    evmc_bytes32 blob_base_fee;
    const evmc_bytes32* blob_hashes;
    size_t blob_hashes_count;
    const struct evmc_tx_initcode* initcodes;
    size_t initcodes_count;
};

struct evmc_result;
typedef void (*evmc_release_result_fn)(const struct evmc_result* result);
struct evmc_result {
    int status_code;
    int64_t gas_left;
    int64_t gas_refund;
    const uint8_t* output_data;
    size_t output_size;
    evmc_release_result_fn release;
    evmc_address create_address;
    uint8_t padding[4];
};

struct evmc_host_context;
struct evmc_host_interface {
    bool (*account_exists)(struct evmc_host_context*, const evmc_address*);
    evmc_bytes32 (*get_storage)(struct evmc_host_context*, const evmc_address*, const evmc_bytes32*);
    int (*set_storage)(struct evmc_host_context*, const evmc_address*, const evmc_bytes32*,
                       const evmc_bytes32*);
    evmc_bytes32 (*get_balance)(struct evmc_host_context*, const evmc_address*);
    size_t (*get_code_size)(struct evmc_host_context*, const evmc_address*);
    evmc_bytes32 (*get_code_hash)(struct evmc_host_context*, const evmc_address*);
    size_t (*copy_code)(struct evmc_host_context*, const evmc_address*, size_t, uint8_t*, size_t);
    bool (*selfdestruct)(struct evmc_host_context*, const evmc_address*, const evmc_address*);
    struct evmc_result (*call)(struct evmc_host_context*, const struct evmc_message*);
    struct evmc_tx_context (*get_tx_context)(struct evmc_host_context*);
    evmc_bytes32 (*get_block_hash)(struct evmc_host_context*, int64_t);
    void (*emit_log)(struct evmc_host_context*, const evmc_address*, const uint8_t*, size_t,
                     const evmc_bytes32[], size_t);
    int (*access_account)(struct evmc_host_context*, const evmc_address*);
    int (*access_storage)(struct evmc_host_context*, const evmc_address*, const evmc_bytes32*);
    evmc_bytes32 (*get_transient_storage)(struct evmc_host_context*, const evmc_address*,
                                          const evmc_bytes32*);
    void (*set_transient_storage)(struct evmc_host_context*, const evmc_address*,
                                  const evmc_bytes32*, const evmc_bytes32*);
};

struct evmc_vm {
    const int abi_version;
    const char* name;
    const char* version;
    void (*destroy)(struct evmc_vm*);
    struct evmc_result (*execute)(struct evmc_vm*, const struct evmc_host_interface*,
                                  struct evmc_host_context*, int, const struct evmc_message*,
                                  const uint8_t*, size_t);
    uint32_t (*get_capabilities)(struct evmc_vm*);
    int (*set_option)(struct evmc_vm*, const char*, const char*);
};

_Static_assert(sizeof(struct evmc_message) == 184, "evmc_message");
_Static_assert(sizeof(struct evmc_tx_context) == 256, "evmc_tx_context");
_Static_assert(sizeof(struct evmc_result) == 72, "evmc_result");
_Static_assert(sizeof(struct evmc_host_interface) == 128, "evmc_host_interface");
_Static_assert(sizeof(struct evmc_vm) == 56, "evmc_vm");
_Static_assert(offsetof(struct evmc_message, code) == 168, "evmc_message.code");
_Static_assert(offsetof(struct evmc_result, release) == 40, "evmc_result.release");

/* The world: one contract (0xaa..) with 8 storage slots, and a callee (0xdd..) with code. */
static const uint8_t CALLEE_CODE[] = {
    /* PUSH1 7 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN */
    0x60, 0x07, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3};

/* Each frame: MSTORE8(0xffff, 1) (64 KiB of memory); CALL(GAS, ADDRESS, 0, 0, 0x10000, 0, 32)
 * (its whole memory as input, the callee's word back at 0); RETURN(0, 32) of that word + 1. The
 * deepest frame (depth 1024) cannot call and returns 1, so the transaction returns 1025. */
static const uint8_t DEEP_CODE[] = {
    0x60, 0x01, 0x62, 0x00, 0xff, 0xff, 0x53, 0x60, 0x20, 0x60, 0x00, 0x62, 0x01, 0x00, 0x00,
    0x60, 0x00, 0x60, 0x00, 0x30, 0x5a, 0xf1, 0x50, 0x60, 0x00, 0x51, 0x60, 0x01, 0x01, 0x60,
    0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3};

/* What the host's `call` does. */
enum call_mode { CALL_RUN_CALLEE, CALL_FAIL_INTERNAL, CALL_RUN_DEEP };

static int host_results_released = 0;
static const uint8_t WHY[] = {'w', 'h', 'y'};
static void release_host_result(const struct evmc_result* r) {
    (void)r;
    host_results_released++;
}

struct host_ctx {
    enum call_mode mode;
    int max_depth_seen;
    struct evmc_vm* vm;
    evmc_bytes32 keys[8];
    evmc_bytes32 values[8];
    int used;
    int logs;
    int calls;
    int callbacks;
};

static evmc_bytes32 zero32(void) {
    evmc_bytes32 z;
    memset(&z, 0, sizeof z);
    return z;
}

static bool account_exists(struct evmc_host_context* c, const evmc_address* a) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    return true;
}
static evmc_bytes32 get_storage(struct evmc_host_context* c, const evmc_address* a,
                                const evmc_bytes32* k) {
    struct host_ctx* h = (struct host_ctx*)c;
    (void)a;
    h->callbacks++;
    for (int i = 0; i < h->used; i++)
        if (memcmp(&h->keys[i], k, 32) == 0) return h->values[i];
    return zero32();
}
static int set_storage(struct evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k,
                       const evmc_bytes32* v) {
    struct host_ctx* h = (struct host_ctx*)c;
    (void)a;
    h->callbacks++;
    for (int i = 0; i < h->used; i++)
        if (memcmp(&h->keys[i], k, 32) == 0) {
            h->values[i] = *v;
            return 0;
        }
    if (h->used < 8) {
        h->keys[h->used] = *k;
        h->values[h->used] = *v;
        h->used++;
    }
    return 1; /* ADDED */
}
static evmc_bytes32 get_balance(struct evmc_host_context* c, const evmc_address* a) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    return zero32();
}
static size_t get_code_size(struct evmc_host_context* c, const evmc_address* a) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    return sizeof CALLEE_CODE;
}
static evmc_bytes32 get_code_hash(struct evmc_host_context* c, const evmc_address* a) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    return zero32();
}
static size_t copy_code(struct evmc_host_context* c, const evmc_address* a, size_t off,
                        uint8_t* buf, size_t size) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    if (off >= sizeof CALLEE_CODE) return 0;
    size_t n = sizeof CALLEE_CODE - off;
    if (n > size) n = size;
    memcpy(buf, CALLEE_CODE + off, n);
    return n;
}
static bool selfdestruct(struct evmc_host_context* c, const evmc_address* a,
                         const evmc_address* b) {
    (void)a;
    (void)b;
    ((struct host_ctx*)c)->callbacks++;
    return true;
}
static const struct evmc_host_interface* the_interface(void);
static struct evmc_result call(struct evmc_host_context* c, const struct evmc_message* msg) {
    struct host_ctx* h = (struct host_ctx*)c;
    h->callbacks++;
    h->calls++;
    if (msg->depth > h->max_depth_seen) h->max_depth_seen = msg->depth;
    if (h->mode == CALL_FAIL_INTERNAL) {
        /* A host-side failure: EVMC VMs treat it as a failed sub-call and go on. */
        struct evmc_result r;
        memset(&r, 0, sizeof r);
        r.status_code = -1; /* EVMC_INTERNAL_ERROR */
        r.output_data = WHY;
        r.output_size = sizeof WHY;
        r.release = release_host_result;
        return r;
    }
    /* Re-enter the same VM for the callee's code; the caller releases the result. */
    if (h->mode == CALL_RUN_DEEP)
        return h->vm->execute(h->vm, the_interface(), c, 12, msg, DEEP_CODE, sizeof DEEP_CODE);
    return h->vm->execute(h->vm, the_interface(), c, 12, msg, CALLEE_CODE, sizeof CALLEE_CODE);
}
static struct evmc_tx_context get_tx_context(struct evmc_host_context* c) {
    struct evmc_tx_context t;
    ((struct host_ctx*)c)->callbacks++;
    memset(&t, 0, sizeof t);
    t.block_number = 1234;
    t.block_gas_limit = 30000000;
    return t;
}
static evmc_bytes32 get_block_hash(struct evmc_host_context* c, int64_t n) {
    evmc_bytes32 r = zero32();
    ((struct host_ctx*)c)->callbacks++;
    r.bytes[31] = (uint8_t)n;
    return r;
}
static void emit_log(struct evmc_host_context* c, const evmc_address* a, const uint8_t* d,
                     size_t ds, const evmc_bytes32 t[], size_t tc) {
    (void)a;
    (void)d;
    (void)ds;
    (void)t;
    (void)tc;
    ((struct host_ctx*)c)->callbacks++;
    ((struct host_ctx*)c)->logs++;
}
static int access_account(struct evmc_host_context* c, const evmc_address* a) {
    (void)a;
    ((struct host_ctx*)c)->callbacks++;
    return 0;
}
static int access_storage(struct evmc_host_context* c, const evmc_address* a,
                          const evmc_bytes32* k) {
    (void)a;
    (void)k;
    ((struct host_ctx*)c)->callbacks++;
    return 0;
}
static evmc_bytes32 get_transient_storage(struct evmc_host_context* c, const evmc_address* a,
                                          const evmc_bytes32* k) {
    (void)a;
    (void)k;
    ((struct host_ctx*)c)->callbacks++;
    return zero32();
}
static void set_transient_storage(struct evmc_host_context* c, const evmc_address* a,
                                  const evmc_bytes32* k, const evmc_bytes32* v) {
    (void)a;
    (void)k;
    (void)v;
    ((struct host_ctx*)c)->callbacks++;
}

static const struct evmc_host_interface INTERFACE = {
    account_exists, get_storage,    set_storage, get_balance,    get_code_size,
    get_code_hash,  copy_code,      selfdestruct, call,          get_tx_context,
    get_block_hash, emit_log,       access_account, access_storage, get_transient_storage,
    set_transient_storage};
static const struct evmc_host_interface* the_interface(void) { return &INTERFACE; }

static int failures = 0;
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "c host: check failed line %d: %s\n", __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static void release(struct evmc_result* r) {
    if (r->release) r->release(r);
}

/* A field of /proc/self/status in kB (0 when unavailable). */
static long proc_status_kb(const char* field) {
    FILE* f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long v = 0;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = atol(line + n + 1);
            break;
        }
    fclose(f);
    return v;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s PATH/TO/libxvm.so [DEEP_ROUNDS]\n", argv[0]);
        return 2;
    }
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "c host: dlopen: %s\n", dlerror());
        return 2;
    }
    struct evmc_vm* (*create)(void) = (struct evmc_vm * (*)(void)) dlsym(lib, "evmc_create_xvm");
    CHECK(create != NULL);
    if (!create) return 1;
    struct evmc_vm* vm = create();
    CHECK(vm->abi_version == 12);
    CHECK(strcmp(vm->name, "xvm") == 0);
    CHECK(vm->get_capabilities(vm) == 1);
    CHECK(vm->set_option(vm, "trace", "0") == 0);
    CHECK(vm->set_option(vm, "trace", "x") == 2);
    CHECK(vm->set_option(vm, "nope", "1") == 1);

    struct host_ctx h;
    memset(&h, 0, sizeof h);
    h.vm = vm;
    /* SSTORE(1, 0x2a); SLOAD(1) -> mem[0]; LOG0(mem[0..32]);
     * CALL(gas, 0xdd.., 0, 0, 0, 32, 32) -> callee writes 7 at mem[32]; RETURN mem[0..64] */
    uint8_t code[] = {0x60, 0x2a, 0x60, 0x01, 0x55, 0x60, 0x01, 0x54, 0x60, 0x00, 0x52,
                      0x60, 0x20, 0x60, 0x00, 0xa0, 0x60, 0x20, 0x60, 0x20, 0x60, 0x00,
                      0x60, 0x00, 0x60, 0x00, 0x73, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                      0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                      0xdd, 0xdd, 0xdd, 0x5a, 0xf1, 0x50, 0x60, 0x40, 0x60, 0x00, 0xf3};
    struct evmc_message msg;
    memset(&msg, 0, sizeof msg);
    msg.gas = 1000000;
    memset(msg.recipient.bytes, 0xaa, 20);
    memset(msg.code_address.bytes, 0xaa, 20);

    for (int round = 0; round < 50; round++) {
        h.calls = 0;
        h.logs = 0;
        struct evmc_result r =
            vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, &msg, code, sizeof code);
        CHECK(r.status_code == 0);
        CHECK(r.output_size == 64);
        if (r.output_size == 64) {
            CHECK(r.output_data[31] == 0x2a);
            CHECK(r.output_data[63] == 0x07);
        }
        CHECK(r.gas_left > 0 && r.gas_left < 1000000);
        CHECK(h.calls == 1);
        CHECK(h.logs == 1);
        release(&r);
    }

    /* EVMC_EXPERIMENTAL (15) runs (with the newest rules); 16 is unknown: REJECTED. */
    struct evmc_result r =
        vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 15, &msg, code, sizeof code);
    CHECK(r.status_code == 0);
    CHECK(r.output_size == 64);
    release(&r);
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 16, &msg, code, sizeof code);
    CHECK(r.status_code == -2);
    release(&r);

    /* EOF: refused in the experimental revision, legacy code (0xEF undefined) up to Osaka. */
    static const uint8_t eof[] = {0xef, 0x00, 0x01, 0x01, 0x00, 0x04, 0x02, 0x00, 0x01, 0x00,
                                  0x01, 0xff, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 15, &msg, eof, sizeof eof);
    CHECK(r.status_code == -2);
    release(&r);
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 14, &msg, eof, sizeof eof);
    CHECK(r.status_code == 5); /* EVMC_UNDEFINED_INSTRUCTION */
    CHECK(r.gas_left == 0);
    release(&r);

    /* RETURNDATACOPY(0, 0, 1) with no return data: EVMC_INVALID_MEMORY_ACCESS. */
    static const uint8_t rdc[] = {0x60, 0x01, 0x60, 0x00, 0x60, 0x00, 0x3e};
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, &msg, rdc, sizeof rdc);
    CHECK(r.status_code == 9);
    CHECK(r.gas_left == 0);
    release(&r);

    /* The host's call answers EVMC_INTERNAL_ERROR with output "why": the caller gets 0 on the
     * stack and "why" as return data, and goes on. The code returns [success flag,
     * RETURNDATASIZE, return data]. */
    static const uint8_t report[] = {
        0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73, 0xdd, 0xdd, 0xdd,
        0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
        0xdd, 0xdd, 0xdd, 0x5a, 0xf1, 0x60, 0x00, 0x52, 0x3d, 0x60, 0x20, 0x52, 0x3d, 0x60,
        0x00, 0x60, 0x40, 0x3e, 0x60, 0x60, 0x60, 0x00, 0xf3};
    h.mode = CALL_FAIL_INTERNAL;
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, &msg, report, sizeof report);
    CHECK(r.status_code == 0);
    CHECK(r.output_size == 96);
    if (r.output_size == 96) {
        CHECK(r.output_data[31] == 0);
        CHECK(r.output_data[63] == 3);
        CHECK(memcmp(r.output_data + 64, "why", 3) == 0);
    }
    CHECK(r.gas_left > 0);
    CHECK(host_results_released == 1);
    release(&r);
    h.mode = CALL_RUN_CALLEE;
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, NULL, code, sizeof code);
    CHECK(r.status_code == -1);
    release(&r);
    r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, &msg, NULL, 3);
    CHECK(r.status_code == -1);
    release(&r);
    r = vm->execute(vm, NULL, (struct evmc_host_context*)&h, 12, &msg, code, sizeof code);
    CHECK(r.status_code == -1);
    release(&r);

    /* The deep call chain, DEEP_ROUNDS times. */
    int rounds = argc > 2 ? atoi(argv[2]) : 0;
    long (*outstanding)(void) = (long (*)(void))dlsym(lib, "xvm_evmc_outstanding_results");
    CHECK(outstanding != NULL);
    if (rounds > 0) {
        struct evmc_message deep;
        memset(&deep, 0, sizeof deep);
        deep.gas = 1000000000000000LL; /* (63/64)^1024 of it still pays the deepest frame */
        memset(deep.recipient.bytes, 0xaa, 20);
        memset(deep.code_address.bytes, 0xaa, 20);
        h.mode = CALL_RUN_DEEP;
        long hwm_steady = 0;
        double t0 = now_s(), t_first = 0;
        for (int i = 0; i < rounds; i++) {
            h.max_depth_seen = 0;
            r = vm->execute(vm, &INTERFACE, (struct evmc_host_context*)&h, 12, &deep, DEEP_CODE,
                            sizeof DEEP_CODE);
            CHECK(r.status_code == 0);
            CHECK(r.output_size == 32);
            if (r.output_size == 32) CHECK(r.output_data[30] == 0x04 && r.output_data[31] == 0x01);
            CHECK(h.max_depth_seen == 1024);
            release(&r);
            if (outstanding) CHECK(outstanding() == 0);
            if (i == 0) t_first = now_s() - t0;
            /* The first round grows each frame's memory into fresh zeroed pages that stay
             * untouched; from the second on, the pooled buffers are zeroed again when reused,
             * so the steady state starts there. */
            if (i == (rounds > 1 ? 1 : 0)) hwm_steady = proc_status_kb("VmHWM");
        }
        double total = now_s() - t0;
        long hwm_last = proc_status_kb("VmHWM");
        printf("deep chain: %d rounds, first %.1f ms, average %.1f ms; VmHWM after the second "
               "round %ld kB, after the last %ld kB; VmRSS now %ld kB\n",
               rounds, t_first * 1e3, total * 1e3 / rounds, hwm_steady, hwm_last,
               proc_status_kb("VmRSS"));
        /* Repeating the chain must not raise the peak (no leak, pools bounded). */
        CHECK(hwm_last - hwm_steady < 16 * 1024);
        h.mode = CALL_RUN_CALLEE;
    }
    if (outstanding) CHECK(outstanding() == 0);

    CHECK(h.callbacks > 0);
    vm->destroy(vm);
    dlclose(lib);
    if (failures) {
        fprintf(stderr, "c host: %d checks failed\n", failures);
        return 1;
    }
    printf("c host: ok\n");
    return 0;
}

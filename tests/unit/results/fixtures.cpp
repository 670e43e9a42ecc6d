// Helpers for the results tests; see fixtures.h.
#include "tests/unit/results/fixtures.h"

#include <grp.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "results/schema.h"
#include "results/sqlite.h"

namespace trmbench::test {

RunInfo sample_run(const std::string & config_hash, int shard_index, int shard_count) {
    RunInfo r;
    r.suite_name = "unit-suite";
    r.config_json = R"({"suite":"unit","attempts":2})";
    r.config_hash = config_hash;
    r.git_sha = "abc1234";
    r.harness_version = "0.1.0";
    r.host = "test-host";
    r.cpu = "test cpu";
    r.gpu = "";
    r.dataset_hashes = {{"sudoku/test", "d1"}, {"maze/test", "d2"}};
    r.prompt_template_hashes = {{"sudoku-boxed", "p1"}};
    r.seeds = {{"subset", 0}, {"sampling", 18446744073709551615ull}};
    r.price_table_date = "2025-01-15";
    r.shard_index = shard_index;
    r.shard_count = shard_count;
    return r;
}

std::vector<ItemRecord> sample_items(int n, const std::string & dataset, const std::string & family) {
    std::vector<ItemRecord> out;
    for (int i = 0; i < n; ++i) {
        ItemRecord it;
        it.task_family = family;
        it.dataset = dataset;
        it.example_id = "ex" + std::to_string(i);
        it.group = family == "arc" ? "task" + std::to_string(i / 2) : it.example_id;
        it.index = family == "arc" ? i % 2 : 0;
        it.position = i;
        it.difficulty = i % 3 == 0 ? -1 : 10.5 + i;
        it.stratum = i % 2 ? "hard" : "";
        if (i % 5 != 4) {
            Grid g(2, 2);
            for (size_t k = 0; k < g.cells.size(); ++k) g.cells[k] = static_cast<uint8_t>((i + k) % 10);
            it.target = g;
        }
        out.push_back(it);
    }
    return out;
}

SolverInfo sample_solver(const std::string & name) {
    SolverInfo s;
    s.name = name;
    s.kind = "local";
    s.provider = "torch";
    s.model_id = "/ckpt/" + name + ".safetensors";
    s.n_params = 7000000;
    s.active_params = -1;
    s.device = "cpu";
    s.dtype = "float32";
    s.checkpoint_sha256 = std::string(64, 'a');
    s.config_json = R"({"H_cycles":3})";
    return s;
}

AttemptRecord sample_attempt(RunId run, const std::string & solver, const ItemRecord & item, int attempt, int seed) {
    AttemptRecord r;
    r.run_id = run;
    r.solver = solver;
    r.task_family = item.task_family;
    r.dataset = item.dataset;
    r.example_id = item.example_id;
    r.attempt = attempt;
    r.outcome = seed % 7 == 3 ? Outcome::parse_error : Outcome::ok;
    if (r.outcome == Outcome::ok) {
        Grid g(2, 3);
        for (size_t k = 0; k < g.cells.size(); ++k) g.cells[k] = static_cast<uint8_t>((seed + k) % 10);
        r.answer = g;
    }
    r.measures = {{"exact", seed % 2 == 0}, {"valid", seed % 3 != 0}};
    r.raw_text = "answer ✓ für Ω #" + std::to_string(seed) + " \"quoted\" 'single' ; DROP TABLE attempts; --";
    r.reasoning_text = seed % 4 ? "think 🤔 " + std::to_string(seed) : "";
    r.error = r.outcome == Outcome::ok ? "" : "no grid found";
    for (int s = 0; s < seed % 5; ++s) {
        StepResult st;
        st.answer = Grid(2, 2, static_cast<uint8_t>(std::min(s, 2)));  // settles after step 2
        st.q_halt = 0.1f * static_cast<float>(s) - 1.234567f;
        st.q_continue = -0.3f + static_cast<float>(seed) * 1e-3f;
        st.correct = s % 2 == 1;
        r.steps.push_back(st);
    }
    r.usage.input_tokens = 1000 + seed;
    r.usage.cached_input_tokens = seed % 2 ? 100 : -1;
    r.usage.output_tokens = 50 + seed;
    r.usage.reasoning_tokens = seed % 3 ? 400 : -1;
    r.usage.total_tokens = 1450 + seed;
    r.usage.cost_usd = 0.0125 + seed * 1e-6;
    r.usage.raw_json = R"({"prompt_tokens":)" + std::to_string(1000 + seed) + "}";
    r.compute.wall_ms = 123.25 + seed;
    r.compute.device_ms = seed % 2 ? 99.5 : -1;
    r.compute.act_steps = seed % 16;
    r.compute.flops = 1.5e12 + seed;
    r.compute.flops_estimated = seed % 2 == 1;
    r.http_status = seed % 2 ? 200 : 0;
    r.request_id = "req_" + std::to_string(seed);
    r.retries = seed % 3;
    r.rate_limit_wait_ms = seed % 3 * 500.0;
    r.created_at_ms = 1700000000000 + seed;
    return r;
}

int64_t count_rows(const std::filesystem::path & db, const std::string & table) {
    sql::Database d(db, {sql::OpenMode::read_only, 5000, ""});
    // Table names here are constants from the tests, never data.
    return d.query_int("SELECT count(*) FROM " + table).value_or(-1);
}

std::string integrity(const std::filesystem::path & db) {
    sql::Database d(db, {sql::OpenMode::read_only, 5000, ""});
    return results::check_integrity(d);
}

// ---------------------------------------------------------------------------------------------
// Fault-injecting VFS

namespace {

std::atomic<bool> g_disk_full{false};
sqlite3_vfs * g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct FaultyFile {
    sqlite3_file base;
    sqlite3_file * real;
};

sqlite3_file * real_of(sqlite3_file * f) { return reinterpret_cast<FaultyFile *>(f)->real; }

int f_close(sqlite3_file * f) { return real_of(f)->pMethods->xClose(real_of(f)); }
int f_read(sqlite3_file * f, void * p, int n, sqlite3_int64 off) { return real_of(f)->pMethods->xRead(real_of(f), p, n, off); }
int f_write(sqlite3_file * f, const void * p, int n, sqlite3_int64 off) {
    if (g_disk_full) {
        sqlite3_int64 size = 0;
        int rc = real_of(f)->pMethods->xFileSize(real_of(f), &size);
        if (rc != SQLITE_OK) return rc;
        if (off + n > size) return SQLITE_FULL;
    }
    return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
}
int f_truncate(sqlite3_file * f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int f_sync(sqlite3_file * f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); }
int f_size(sqlite3_file * f, sqlite3_int64 * size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int f_lock(sqlite3_file * f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int f_unlock(sqlite3_file * f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int f_reserved(sqlite3_file * f, int * out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int f_control(sqlite3_file * f, int op, void * arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int f_sector(sqlite3_file * f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int f_device(sqlite3_file * f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int f_shm_map(sqlite3_file * f, int pg, int sz, int extend, void volatile ** pp) {
    if (real_of(f)->pMethods->iVersion < 2) return SQLITE_IOERR;
    return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, pp);
}
int f_shm_lock(sqlite3_file * f, int off, int n, int flags) { return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags); }
void f_shm_barrier(sqlite3_file * f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int f_shm_unmap(sqlite3_file * f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int f_fetch(sqlite3_file * f, sqlite3_int64 off, int n, void ** pp) {
    if (real_of(f)->pMethods->iVersion < 3) {
        *pp = nullptr;
        return SQLITE_OK;
    }
    return real_of(f)->pMethods->xFetch(real_of(f), off, n, pp);
}
int f_unfetch(sqlite3_file * f, sqlite3_int64 off, void * p) {
    if (real_of(f)->pMethods->iVersion < 3) return SQLITE_OK;
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

int v_open(sqlite3_vfs *, sqlite3_filename name, sqlite3_file * f, int flags, int * out_flags) {
    auto * ff = reinterpret_cast<FaultyFile *>(f);
    ff->real = reinterpret_cast<sqlite3_file *>(ff + 1);
    ff->base.pMethods = nullptr;
    int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
    if (ff->real->pMethods) ff->base.pMethods = &g_methods;
    return rc;
}
int v_delete(sqlite3_vfs *, const char * name, int sync) { return g_real->xDelete(g_real, name, sync); }
int v_access(sqlite3_vfs *, const char * name, int flags, int * out) { return g_real->xAccess(g_real, name, flags, out); }
int v_full(sqlite3_vfs *, const char * name, int n, char * out) { return g_real->xFullPathname(g_real, name, n, out); }
void * v_dlopen(sqlite3_vfs *, const char * name) { return g_real->xDlOpen(g_real, name); }
void v_dlerror(sqlite3_vfs *, int n, char * out) { g_real->xDlError(g_real, n, out); }
void (*v_dlsym(sqlite3_vfs *, void * h, const char * sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void v_dlclose(sqlite3_vfs *, void * h) { g_real->xDlClose(g_real, h); }
int v_random(sqlite3_vfs *, int n, char * out) { return g_real->xRandomness(g_real, n, out); }
int v_sleep(sqlite3_vfs *, int us) { return g_real->xSleep(g_real, us); }
int v_time(sqlite3_vfs *, double * out) { return g_real->xCurrentTime(g_real, out); }
int v_last_error(sqlite3_vfs *, int n, char * out) { return g_real->xGetLastError(g_real, n, out); }
int v_time64(sqlite3_vfs *, sqlite3_int64 * out) { return g_real->xCurrentTimeInt64(g_real, out); }

void register_vfs() {
    g_real = sqlite3_vfs_find(nullptr);
    if (!g_real) throw std::runtime_error("no default SQLite VFS");
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 3;
    g_methods.xClose = f_close;
    g_methods.xRead = f_read;
    g_methods.xWrite = f_write;
    g_methods.xTruncate = f_truncate;
    g_methods.xSync = f_sync;
    g_methods.xFileSize = f_size;
    g_methods.xLock = f_lock;
    g_methods.xUnlock = f_unlock;
    g_methods.xCheckReservedLock = f_reserved;
    g_methods.xFileControl = f_control;
    g_methods.xSectorSize = f_sector;
    g_methods.xDeviceCharacteristics = f_device;
    g_methods.xShmMap = f_shm_map;
    g_methods.xShmLock = f_shm_lock;
    g_methods.xShmBarrier = f_shm_barrier;
    g_methods.xShmUnmap = f_shm_unmap;
    g_methods.xFetch = f_fetch;
    g_methods.xUnfetch = f_unfetch;

    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultyFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "trmbench-faulty";
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_full;
    g_vfs.xDlOpen = v_dlopen;
    g_vfs.xDlError = v_dlerror;
    g_vfs.xDlSym = v_dlsym;
    g_vfs.xDlClose = v_dlclose;
    g_vfs.xRandomness = v_random;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_time;
    g_vfs.xGetLastError = v_last_error;
    g_vfs.xCurrentTimeInt64 = v_time64;
    if (sqlite3_vfs_register(&g_vfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register the faulty VFS");
}

}  // namespace

const char * faulty_vfs_name() {
    static std::once_flag once;
    std::call_once(once, register_vfs);
    return "trmbench-faulty";
}

void set_disk_full(bool full) { g_disk_full = full; }

// ---------------------------------------------------------------------------------------------
// Child processes

ChildResult run_child(const std::function<int(std::string & message)> & fn, bool drop_root) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::close(fds[0]);
        std::string msg;
        int code = 0;
        try {
            if (drop_root && ::geteuid() == 0) {
                if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
                    msg = "cannot drop root";
                    code = 98;
                }
            }
            if (code == 0) code = fn(msg);
        } catch (const std::exception & e) {
            msg = e.what();
            code = 99;
        }
        ssize_t ignored = ::write(fds[1], msg.data(), msg.size());
        (void)ignored;
        ::_exit(code);
    }
    ::close(fds[1]);
    ChildResult r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.output.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

}  // namespace trmbench::test

// The restricted unpickler: one loop over opcodes, a value stack with MARK positions, a memo, and
// arenas for the objects. See pickle.h for the rules.
#include "models/io/pickle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "harness/core/error.h"
#include "models/io/le_bytes.h"

namespace trmbench::pickle {
namespace {

struct StorageTypeName {
    DType dtype;
    std::string_view name;
};
constexpr std::array<StorageTypeName, 10> kStorageTypes = {{
    {DType::f32, "FloatStorage"},
    {DType::bf16, "BFloat16Storage"},
    {DType::f16, "HalfStorage"},
    {DType::f64, "DoubleStorage"},
    {DType::i64, "LongStorage"},
    {DType::i32, "IntStorage"},
    {DType::i16, "ShortStorage"},
    {DType::i8, "CharStorage"},
    {DType::u8, "ByteStorage"},
    {DType::boolean, "BoolStorage"},
}};

struct OpcodeName {
    uint8_t code;
    std::string_view name;
};
// Every opcode this unpickler implements.
constexpr std::array<OpcodeName, 41> kOpcodes = {{
    {0x80, "PROTO"},        {0x95, "FRAME"},         {'c', "GLOBAL"},         {0x93, "STACK_GLOBAL"},
    {'X', "BINUNICODE"},    {0x8c, "SHORT_BINUNICODE"}, {0x8d, "BINUNICODE8"}, {'q', "BINPUT"},
    {'r', "LONG_BINPUT"},   {0x94, "MEMOIZE"},       {'h', "BINGET"},         {'j', "LONG_BINGET"},
    {'(', "MARK"},          {'}', "EMPTY_DICT"},     {']', "EMPTY_LIST"},     {')', "EMPTY_TUPLE"},
    {'t', "TUPLE"},         {0x85, "TUPLE1"},        {0x86, "TUPLE2"},        {0x87, "TUPLE3"},
    {'l', "LIST"},          {'d', "DICT"},           {'J', "BININT"},         {'K', "BININT1"},
    {'M', "BININT2"},       {0x8a, "LONG1"},         {'G', "BINFLOAT"},       {0x88, "NEWTRUE"},
    {0x89, "NEWFALSE"},     {'N', "NONE"},           {'s', "SETITEM"},        {'u', "SETITEMS"},
    {'a', "APPEND"},        {'e', "APPENDS"},        {'R', "REDUCE"},         {'b', "BUILD"},
    {'Q', "BINPERSID"},     {'0', "POP"},            {'1', "POP_MARK"},       {'2', "DUP"},
    {'.', "STOP"},
}};

std::string hex_byte(uint8_t b) {
    static const char * digits = "0123456789abcdef";
    return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// Strict UTF-8 (what Python's decoder accepts for BINUNICODE, minus surrogates).
bool valid_utf8(const uint8_t * p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) { ++i; continue; }
        size_t len;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

class Machine {
public:
    Machine(std::span<const uint8_t> bytes, const PickleLimits & limits) : in_(bytes), limits_(limits) {}

    Unpickled run() {
        std::array<bool, 256> seen{};
        for (;;) {
            if (pos_ >= in_.size()) fail_at(pos_, "pickle ends without STOP (truncated)");
            op_pos_ = pos_;
            const uint8_t op = in_[pos_++];
            seen[op] = true;
            if (op == '.') {
                out_.root = pop();
                break;
            }
            step(op);
        }
        for (const auto & o : kOpcodes)
            if (seen[o.code]) out_.opcodes_seen.emplace_back(o.name);
        std::sort(out_.opcodes_seen.begin(), out_.opcodes_seen.end());
        return std::move(out_);
    }

private:
    // --- input -------------------------------------------------------------------------------
    [[noreturn]] void fail_at(uint64_t at, const std::string & what) const {
        throw InputError(what + " at offset " + std::to_string(at));
    }
    [[noreturn]] void fail(const std::string & what) const { fail_at(op_pos_, what); }

    const uint8_t * take(uint64_t n) {
        if (n > in_.size() - pos_) fail("truncated pickle: opcode needs " + std::to_string(n) + " more bytes");
        const uint8_t * p = in_.data() + pos_;
        pos_ += n;
        return p;
    }
    std::string_view line() {
        const uint64_t start = pos_;
        while (pos_ < in_.size() && in_[pos_] != '\n') {
            if (pos_ - start > 4096) fail("GLOBAL name longer than 4096 bytes");
            ++pos_;
        }
        if (pos_ >= in_.size()) fail("truncated pickle: GLOBAL name without newline");
        std::string_view s(reinterpret_cast<const char *>(in_.data() + start), pos_ - start);
        ++pos_;
        return s;
    }

    // --- stack and arenas ----------------------------------------------------------------------
    size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
    void push(const Value & v) {
        if (stack_.size() + marks_.size() >= limits_.max_stack_depth) fail("pickle stack deeper than the limit");
        stack_.push_back(v);
    }
    Value pop() {
        if (stack_.size() <= fence()) fail("pickle stack underflow");
        Value v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Value & top() {
        if (stack_.size() <= fence()) fail("pickle stack underflow");
        return stack_.back();
    }
    std::vector<Value> pop_to_mark() {
        if (marks_.empty()) fail("no MARK on the stack");
        const size_t m = marks_.back();
        marks_.pop_back();
        std::vector<Value> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
        stack_.resize(m);
        return items;
    }
    void count_object() {
        if (++objects_ > limits_.max_objects) fail("more than " + std::to_string(limits_.max_objects) + " objects in the pickle");
    }
    Value make(Kind kind, uint32_t ref) {
        Value v;
        v.kind = kind;
        v.ref = ref;
        return v;
    }
    Value new_string(std::string s) {
        count_object();
        out_.strings.push_back(std::move(s));
        return make(Kind::string, static_cast<uint32_t>(out_.strings.size() - 1));
    }
    Value new_sequence(Kind kind, std::vector<Value> items) {
        count_object();
        out_.sequences.push_back(std::move(items));
        return make(kind, static_cast<uint32_t>(out_.sequences.size() - 1));
    }
    Value new_dict(bool ordered) {
        count_object();
        out_.dicts.push_back(Dict{{}, ordered});
        return make(Kind::dict, static_cast<uint32_t>(out_.dicts.size() - 1));
    }
    Value new_int(int64_t i) {
        Value v;
        v.kind = Kind::integer;
        v.i = i;
        return v;
    }

    // --- opcodes -------------------------------------------------------------------------------
    void step(uint8_t op) {
        switch (op) {
            case 0x80: {  // PROTO
                const uint8_t proto = *take(1);
                if (proto > 5) fail("unsupported pickle protocol " + std::to_string(proto));
                return;
            }
            case 0x95: {  // FRAME: a length hint only
                const uint64_t n = le::u64(take(8));
                if (n > in_.size() - pos_) fail("FRAME of " + std::to_string(n) + " bytes runs past the end of the pickle");
                return;
            }
            case 'c': {
                const std::string module(line());
                const std::string name(line());
                push(resolve_global(module, name));
                return;
            }
            case 0x93: {  // STACK_GLOBAL
                const Value name = pop(), module = pop();
                if (name.kind != Kind::string || module.kind != Kind::string) fail("STACK_GLOBAL needs two strings");
                push(resolve_global(out_.str(module), out_.str(name)));
                return;
            }
            case 'X': return push_string(le::u32(take(4)));
            case 0x8c: return push_string(*take(1));
            case 0x8d: return push_string(le::u64(take(8)));
            case 'q': return memo_put(*take(1));
            case 'r': return memo_put(le::u32(take(4)));
            case 0x94: return memo_put(memo_.size());
            case 'h': return memo_get(*take(1));
            case 'j': return memo_get(le::u32(take(4)));
            case '(':
                if (stack_.size() + marks_.size() >= limits_.max_stack_depth) fail("pickle stack deeper than the limit");
                marks_.push_back(stack_.size());
                return;
            case '}': return push(new_dict(false));
            case ']': return push(new_sequence(Kind::list, {}));
            case ')': return push(new_sequence(Kind::tuple, {}));
            case 't': return push(new_sequence(Kind::tuple, pop_to_mark()));
            case 0x85: case 0x86: case 0x87: {
                std::vector<Value> items(static_cast<size_t>(op - 0x84));
                for (size_t k = items.size(); k-- > 0;) items[k] = pop();
                return push(new_sequence(Kind::tuple, std::move(items)));
            }
            case 'l': return push(new_sequence(Kind::list, pop_to_mark()));
            case 'd': {
                auto items = pop_to_mark();
                Value d = new_dict(false);
                add_items(d, items);
                return push(d);
            }
            case 'J': {
                const uint32_t u = le::u32(take(4));
                return push(new_int(static_cast<int32_t>(u)));
            }
            case 'K': return push(new_int(*take(1)));
            case 'M': return push(new_int(le::u16(take(2))));
            case 0x8a: return push(new_int(read_long1()));
            case 'G': {
                const uint8_t * p = take(8);
                uint64_t bits = 0;
                for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];  // big-endian
                Value v;
                v.kind = Kind::floating;
                v.f = std::bit_cast<double>(bits);
                return push(v);
            }
            case 0x88: case 0x89: {
                Value v;
                v.kind = Kind::boolean;
                v.i = op == 0x88;
                return push(v);
            }
            case 'N': return push(Value{});
            case 's': {
                Value v = pop(), k = pop();
                std::vector<Value> items{k, v};
                return add_items(top(), items);
            }
            case 'u': {
                auto items = pop_to_mark();
                return add_items(top(), items);
            }
            case 'a': {
                Value v = pop();
                return append_items(top(), {v});
            }
            case 'e': {
                auto items = pop_to_mark();
                return append_items(top(), items);
            }
            case 'R': {
                Value args = pop(), callable = pop();
                return push(reduce(callable, args));
            }
            case 'b': {
                pop();  // the state: OrderedDict._metadata and the like, not needed
                const Value & target = top();
                if (target.kind != Kind::dict && target.kind != Kind::tensor)
                    fail("BUILD on " + out_.describe(target) + " is not supported");
                return;
            }
            case 'Q': return push(persistent_storage(pop()));
            case '0': pop(); return;
            case '1': pop_to_mark(); return;
            case '2': {
                const Value v = top();  // copy: push may reallocate the stack
                return push(v);
            }
            default:
                fail("unsupported pickle opcode " + hex_byte(op));
        }
    }

    void push_string(uint64_t n) {
        if (n > limits_.max_string_bytes) fail("string of " + std::to_string(n) + " bytes exceeds the limit");
        const uint8_t * p = take(n);
        if (!valid_utf8(p, n)) fail("string is not valid UTF-8");
        push(new_string(std::string(reinterpret_cast<const char *>(p), n)));
    }

    int64_t read_long1() {
        const uint8_t n = *take(1);
        if (n > 8) fail("LONG1 integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
        const uint8_t * p = take(n);
        if (n == 0) return 0;
        uint64_t u = 0;
        for (int k = n - 1; k >= 0; --k) u = (u << 8) | p[k];
        if (n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
        return static_cast<int64_t>(u);
    }

    void memo_put(uint64_t index) {
        if (memo_.size() >= limits_.max_memo_entries && !memo_.count(index)) fail("memo larger than the limit");
        memo_[index] = top();
    }
    void memo_get(uint64_t index) {
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo entry " + std::to_string(index) + " was never stored");
        push(it->second);
    }

    void add_items(const Value & target, const std::vector<Value> & items) {
        if (target.kind != Kind::dict) fail("SETITEM(S) on " + out_.describe(target) + ", not a dict");
        if (items.size() % 2) fail("SETITEMS with an odd number of items");
        auto & entries = out_.dicts[target.ref].entries;
        for (size_t k = 0; k < items.size(); k += 2) entries.emplace_back(items[k], items[k + 1]);
    }
    void append_items(const Value & target, const std::vector<Value> & items) {
        if (target.kind != Kind::list) fail("APPEND(S) on " + out_.describe(target) + ", not a list");
        auto & seq = out_.sequences[target.ref];
        seq.insert(seq.end(), items.begin(), items.end());
    }

    Value resolve_global(const std::string & module, const std::string & name) {
        Value v;
        v.kind = Kind::global;
        DType dtype;
        if (module == "collections" && name == "OrderedDict") {
            v.i = static_cast<int64_t>(Global::ordered_dict);
        } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
            v.i = static_cast<int64_t>(Global::rebuild_tensor_v2);
        } else if (module == "torch._utils" && name == "_rebuild_parameter") {
            v.i = static_cast<int64_t>(Global::rebuild_parameter);
        } else if (module == "torch._utils" && name == "_rebuild_parameter_with_state") {
            v.i = static_cast<int64_t>(Global::rebuild_parameter_with_state);
        } else if (module == "torch" && parse_storage_type_name(name, dtype)) {
            v.i = static_cast<int64_t>(Global::storage_type);
            v.dtype = dtype;
        } else {
            std::string shown = module.substr(0, 200) + "." + name.substr(0, 200);
            if (module == "torch" && name.size() > 7 && name.ends_with("Storage"))
                fail("unsupported storage type " + shown);
            fail("unsupported global " + shown + " (only tensors, storages and OrderedDict are allowed)");
        }
        return v;
    }

    const std::vector<Value> & tuple_args(const Value & args, const char * what, size_t min_n, size_t max_n) {
        if (args.kind != Kind::tuple) fail(std::string(what) + ": arguments are " + out_.describe(args) + ", not a tuple");
        const auto & a = out_.seq(args);
        if (a.size() < min_n || a.size() > max_n)
            fail(std::string(what) + ": " + std::to_string(a.size()) + " arguments (expected " + std::to_string(min_n) +
                 (max_n != min_n ? "-" + std::to_string(max_n) : "") + ")");
        return a;
    }

    Value reduce(const Value & callable, const Value & args) {
        if (callable.kind != Kind::global) fail("REDUCE on " + out_.describe(callable) + ", not a callable");
        switch (static_cast<Global>(callable.i)) {
            case Global::ordered_dict:
                tuple_args(args, "OrderedDict()", 0, 0);
                return new_dict(true);
            case Global::rebuild_tensor_v2: return rebuild_tensor(tuple_args(args, "_rebuild_tensor_v2", 6, 7));
            case Global::rebuild_parameter:
            case Global::rebuild_parameter_with_state: {
                const auto & a = tuple_args(args, "_rebuild_parameter", 3, 4);
                if (a[0].kind != Kind::tensor) fail("_rebuild_parameter: first argument is " + out_.describe(a[0]) + ", not a tensor");
                return a[0];
            }
            case Global::storage_type: fail("calling torch." + storage_type_name(callable.dtype) + " is not supported");
        }
        fail("unknown global");
    }

    std::vector<int64_t> int_tuple(const Value & v, const char * what) {
        if (v.kind != Kind::tuple) fail(std::string("_rebuild_tensor_v2: ") + what + " is " + out_.describe(v) + ", not a tuple");
        const auto & items = out_.seq(v);
        if (items.size() > limits_.max_tensor_dims) fail(std::string("_rebuild_tensor_v2: ") + what + " has too many dimensions");
        std::vector<int64_t> out;
        for (const auto & x : items) {
            if (x.kind != Kind::integer || x.i < 0)
                fail(std::string("_rebuild_tensor_v2: ") + what + " holds " + out_.describe(x) + ", not a non-negative integer");
            out.push_back(x.i);
        }
        return out;
    }

    // A strided view must lie inside its storage: offset + sum((size-1)*stride) < numel.
    Value rebuild_tensor(const std::vector<Value> & a) {
        if (a[0].kind != Kind::storage) fail("_rebuild_tensor_v2: first argument is " + out_.describe(a[0]) + ", not a storage");
        if (a[1].kind != Kind::integer || a[1].i < 0) fail("_rebuild_tensor_v2: storage offset is " + out_.describe(a[1]));
        TensorRef t;
        t.storage = a[0].ref;
        t.offset = a[1].i;
        t.sizes = int_tuple(a[2], "size");
        t.strides = int_tuple(a[3], "stride");
        if (t.sizes.size() != t.strides.size())
            fail("_rebuild_tensor_v2: size has " + std::to_string(t.sizes.size()) + " dimensions but stride has " +
                 std::to_string(t.strides.size()));
        const StorageRef & s = out_.storages[t.storage];
        unsigned __int128 numel = 1, last = static_cast<uint64_t>(t.offset);
        bool empty = false;
        for (size_t d = 0; d < t.sizes.size(); ++d) {
            if (t.sizes[d] == 0) empty = true;
            numel *= static_cast<uint64_t>(t.sizes[d]);
            if (numel > std::numeric_limits<int64_t>::max()) fail("_rebuild_tensor_v2: element count overflows");
            if (t.sizes[d] > 0) last += static_cast<unsigned __int128>(t.sizes[d] - 1) * static_cast<uint64_t>(t.strides[d]);
        }
        if (static_cast<uint64_t>(t.offset) > s.numel || (!empty && last >= s.numel))
            fail("_rebuild_tensor_v2: view (offset " + std::to_string(t.offset) + ") reaches element " +
                 (empty ? std::to_string(t.offset) : std::to_string(static_cast<uint64_t>(std::min<unsigned __int128>(last, ~uint64_t{0})))) +
                 " of storage '" + s.key + "', which holds " + std::to_string(s.numel) + " elements");
        count_object();
        out_.tensors.push_back(std::move(t));
        return make(Kind::tensor, static_cast<uint32_t>(out_.tensors.size() - 1));
    }

    // ('storage', torch.<T>Storage, key, location, numel)
    Value persistent_storage(const Value & pid) {
        if (pid.kind != Kind::tuple) fail("persistent id is " + out_.describe(pid) + ", not a tuple");
        const auto & p = out_.seq(pid);
        if (p.size() != 5 || p[0].kind != Kind::string || out_.str(p[0]) != "storage")
            fail("persistent id is not ('storage', type, key, location, numel)");
        if (p[1].kind != Kind::global || static_cast<Global>(p[1].i) != Global::storage_type)
            fail("persistent id: storage type is " + out_.describe(p[1]));
        if (p[2].kind != Kind::string) fail("persistent id: storage key is " + out_.describe(p[2]));
        if (p[3].kind != Kind::string) fail("persistent id: location is " + out_.describe(p[3]));
        if (p[4].kind != Kind::integer || p[4].i < 0) fail("persistent id: element count is " + out_.describe(p[4]));
        const std::string & key = out_.str(p[2]);
        const DType dtype = p[1].dtype;
        const uint64_t numel = static_cast<uint64_t>(p[4].i);
        if (numel > (uint64_t{1} << 60) / dtype_size(dtype)) fail("persistent id: storage '" + key + "' is impossibly large");
        if (auto it = storage_by_key_.find(key); it != storage_by_key_.end()) {
            const StorageRef & s = out_.storages[it->second];
            if (s.dtype != dtype || s.numel != numel)
                fail("storage '" + key + "' is described twice with different types or sizes");
            return make(Kind::storage, it->second);
        }
        count_object();
        out_.storages.push_back(StorageRef{key, dtype, numel, out_.str(p[3])});
        const auto index = static_cast<uint32_t>(out_.storages.size() - 1);
        storage_by_key_.emplace(key, index);
        return make(Kind::storage, index);
    }

    std::span<const uint8_t> in_;
    const PickleLimits & limits_;
    uint64_t pos_ = 0, op_pos_ = 0, objects_ = 0;
    std::vector<Value> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, Value> memo_;
    std::unordered_map<std::string, uint32_t> storage_by_key_;
    Unpickled out_;
};

}  // namespace

std::string storage_type_name(DType d) {
    for (const auto & s : kStorageTypes)
        if (s.dtype == d) return std::string(s.name);
    throw std::logic_error("storage_type_name: unknown dtype");
}

bool parse_storage_type_name(std::string_view name, DType & out) {
    for (const auto & s : kStorageTypes) {
        if (s.name == name) {
            out = s.dtype;
            return true;
        }
    }
    return false;
}

std::string Unpickled::describe(const Value & v) const {
    switch (v.kind) {
        case Kind::none: return "None";
        case Kind::boolean: return v.i ? "True" : "False";
        case Kind::integer: return "int " + std::to_string(v.i);
        case Kind::floating: return "float " + std::to_string(v.f);
        case Kind::string: {
            const std::string & s = strings.at(v.ref);
            return "str '" + (s.size() > 60 ? s.substr(0, 60) + "..." : s) + "'";
        }
        case Kind::tuple: return "tuple of " + std::to_string(sequences.at(v.ref).size());
        case Kind::list: return "list of " + std::to_string(sequences.at(v.ref).size());
        case Kind::dict: return std::string(dicts.at(v.ref).ordered ? "OrderedDict" : "dict") + " of " + std::to_string(dicts.at(v.ref).entries.size());
        case Kind::global: return "a global";
        case Kind::storage: return "a storage";
        case Kind::tensor: return "a tensor";
    }
    return "?";
}

Unpickled unpickle(std::span<const uint8_t> bytes, const PickleLimits & limits) { return Machine(bytes, limits).run(); }

}  // namespace trmbench::pickle

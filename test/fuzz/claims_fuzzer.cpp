// claims_fuzzer: the claims parser (src/rbac/claims.cpp) and the scopes it derives.
//
// fuzz-sources: src/rbac/claims.cpp src/scope/scope.cpp src/jwt/json_strict.cpp
// fuzz-max-len: 4096
//
// The first byte chooses what missing "access" grants, which token keys name key
// columns (none, "tenant", "tenant" and "dept", or "a" and "dept"), and whether the
// rest is JSON text or drives a generator of well-formed claims (so that most
// inputs reach the grant rules rather than the JSON parser). Claims that are a JSON
// object go to parse_grants. A refusal must be SqlError 28000 "invalid token
// claims: ..."; any other exception aborts (libFuzzer reports it). For accepted
// claims, every property the policies rely on is checked against a reference
// written here from docs/rbac.md, reading the claims JSON directly:
//   - allows() agrees with the reference for every operation and collection;
//   - every scope is valid JSON of the vecrbac.scope grammar (src/scope/scope.h:
//     {"all":true}, {"values":[scalars]}, {"any":[{path: scalar}]}; checked here
//     independently), and the format's own reader (scope::parse, which the SQL type
//     validates with) accepts it and writes it back byte for byte;
//   - a collection the token cannot read gets scopes that admit nothing;
//   - for candidate rows built from the grant's own values (each conjunction's row,
//     rows mixing one conjunction's keys with another's payload, NULL keys and
//     payloads, values of the wrong type, values inside arrays): the policy's test
//     (key scopes AND payload scope AND (scope_is_exact OR row scope)) admits a row
//     exactly when the reference grant does, the row scope alone does too, and the
//     key and payload scopes never exclude a granted row;
//   - value_exists' pairs come back as one object with the same keys and values;
//   - parsing the compact form of the claims again gives the same scopes.
#include "jwt/json_strict.h"
#include "common/sql_error.h"
#include "rbac/claims.h"
#include "scope/scope.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace vecrbac::rbac;
using vecrbac::jwt::Json;
using vecrbac::jwt::JsonError;

namespace
{

constexpr int kMaxDepth = 16; // what verify() allows for claims

[[noreturn]] void fail(const char *what)
{
	std::fprintf(stderr, "claims_fuzzer: property violated: %s\n", what);
	std::abort();
}

Json parse_or_fail(const std::string &text, const char *what)
{
	Json j;
	if (vecrbac::jwt::parse_json_strict(text, kMaxDepth, &j) != JsonError::None)
		fail(what);
	return j;
}

std::string compact(const Json &j)
{
	std::string out;
	vecrbac::jwt::write_json_compact(j, &out);
	return out;
}

// ---- the reference: the grant, read from the claims JSON as docs/rbac.md says -----------

bool valid_path(std::string_view p)
{
	return !p.empty() && p.front() != '.' && p.back() != '.' &&
	       p.find("..") == std::string_view::npos;
}

// A scalar of a scope or a row: string, integer (int64) or boolean.
struct Scalar
{
	enum Kind : std::uint8_t
	{
		Int,
		Str,
		Bool
	} kind;
	std::int64_t i = 0;
	std::string s;
	bool b = false;
	bool operator==(const Scalar &o) const
	{
		return kind == o.kind && (kind == Int ? i == o.i : kind == Str ? s == o.s : b == o.b);
	}
};

std::optional<Scalar> scalar_of(const Json &v)
{
	if (v.is_string())
		return Scalar{Scalar::Str, 0, v.text(), false};
	if (v.is_bool())
		return Scalar{Scalar::Bool, 0, "", v.as_bool()};
	if (v.is_number())
		if (std::optional<std::int64_t> i = v.as_int64())
			return Scalar{Scalar::Int, *i, "", false};
	return std::nullopt;
}

Json json_of(const Scalar &s)
{
	switch (s.kind)
	{
	case Scalar::Int:
		return Json::make_number(std::to_string(s.i));
	case Scalar::Str:
		return Json::make_string(s.s);
	case Scalar::Bool:
		break;
	}
	return Json::make_bool(s.b);
}

// A row of a protected table: key columns (absent = SQL NULL) and the payload column.
struct Row
{
	std::vector<std::pair<std::string, std::optional<Scalar>>> keys; // one per key name
	std::optional<Json> payload;                                     // nullopt = SQL NULL

	const std::optional<Scalar> *key(std::string_view name) const
	{
		for (const auto &k : keys)
			if (k.first == name)
				return &k.second;
		return nullptr;
	}
};

// The value at a dotted path of object keys; nullptr when missing.
const Json *at_path(const Json &doc, std::string_view path)
{
	const Json *cur = &doc;
	while (true)
	{
		std::size_t dot = path.find('.');
		std::string_view seg = path.substr(0, dot);
		if (!cur->is_object())
			return nullptr;
		cur = cur->find(seg);
		if (cur == nullptr || dot == std::string_view::npos)
			return cur;
		path.remove_prefix(dot + 1);
	}
}

// A JSON value found in a row matches a scalar when equal, or an array holding it.
bool json_matches(const Json *found, const Scalar &want)
{
	if (found == nullptr)
		return false;
	if (found->is_array())
	{
		for (const Json &e : found->items())
			if (std::optional<Scalar> s = scalar_of(e); s && *s == want)
				return true;
		return false;
	}
	std::optional<Scalar> s = scalar_of(*found);
	return s && *s == want;
}

// What the claims grant on one collection, for reading: nothing, everything, or rows.
struct RefGrant
{
	enum Kind : std::uint8_t
	{
		Nothing,
		Everything,
		Rows
	} kind = Nothing;
	const Json *entry = nullptr;            // the access entry (per-collection grants)
	std::vector<const Json *> conjunctions; // objects, each non-empty
};

RefGrant ref_grant(const Json &claims, std::string_view collection, bool missing_manage)
{
	RefGrant g;
	const Json *access = claims.find("access");
	if (access == nullptr)
	{
		g.kind = missing_manage ? RefGrant::Everything : RefGrant::Nothing;
		return g;
	}
	if (access->is_string())
	{
		g.kind = RefGrant::Everything;
		return g;
	}
	for (const Json &e : access->items())
		if (e.find("collection")->text() == collection)
			g.entry = &e;
	if (g.entry == nullptr)
		return g;
	const Json *payload = g.entry->find("payload");
	g.kind = RefGrant::Everything;
	if (payload == nullptr || payload->is_null())
		return g;
	std::vector<const Json *> objs;
	if (payload->is_array())
		for (const Json &o : payload->items())
			objs.push_back(&o);
	else
		objs.push_back(payload);
	for (const Json *o : objs)
		if (o->members().empty())
			return g; // an empty conjunction: every row
	g.kind = RefGrant::Rows;
	g.conjunctions = objs;
	return g;
}

bool ref_condition(const std::string &key, const Json &value, const Row &row,
                   const std::vector<std::string> &key_names)
{
	Scalar want = *scalar_of(value);
	for (const std::string &k : key_names)
		if (k == key)
		{
			const std::optional<Scalar> *v = row.key(k);
			return v != nullptr && v->has_value() && **v == want;
		}
	return row.payload.has_value() && json_matches(at_path(*row.payload, key), want);
}

bool ref_admits(const RefGrant &g, const Row &row, const std::vector<std::string> &key_names)
{
	if (g.kind != RefGrant::Rows)
		return g.kind == RefGrant::Everything;
	for (const Json *c : g.conjunctions)
	{
		bool all = true;
		for (const Json::Member &m : c->members())
			all = all && ref_condition(m.name, m.value, row, key_names);
		if (all)
			return true;
	}
	return false;
}

bool ref_allows(const Json &claims, std::string_view collection, Operation op, bool missing_manage)
{
	const Json *access = claims.find("access");
	std::string global = access == nullptr     ? (missing_manage ? "m" : "")
	                     : access->is_string() ? access->text()
	                                           : "";
	if (global == "m")
		return true;
	if (op == Operation::Manage)
		return false;
	if (global == "r")
		return op == Operation::Read;
	if (access == nullptr)
		return false;
	RefGrant g = ref_grant(claims, collection, missing_manage);
	if (g.entry == nullptr)
		return false;
	std::string mode = g.entry->find("access")->text();
	switch (op)
	{
	case Operation::Read:
		return true;
	case Operation::Write:
		return mode != "r";
	case Operation::Truncate:
		return mode != "r" && g.kind == RefGrant::Everything;
	case Operation::Index:
		return mode == "rw";
	case Operation::Manage:
		break;
	}
	return false;
}

// ---- scopes: the grammar, and matching as src/scope/scope.h describes it -----------------

enum class ScopeFor
{
	Key,     // {"all":true} or {"values":[...]}
	Payload, // {"all":true} or {"any":[...]}
	Row,     // the same, paths starting "k." or "p."
};

/* The scope type's reader accepts what the claims write, and writes it back unchanged. */
void check_reader(const std::string &text)
{
	vecrbac::scope::Scope parsed;
	std::string error;
	if (!vecrbac::scope::parse(text, &parsed, &error))
		fail("scope::parse refuses a scope the claims wrote");
	if (vecrbac::scope::to_json(parsed) != text)
		fail("scope::parse and to_json do not give back the claims' scope");
}

void check_grammar(const Json &s, ScopeFor what)
{
	if (!s.is_object() || s.members().size() != 1)
		fail("a scope is an object with exactly one member");
	const Json::Member &m = s.members()[0];
	if (m.name == "all")
	{
		if (!m.value.is_bool() || !m.value.as_bool())
			fail("\"all\" must be true");
		return;
	}
	if (m.name == "values")
	{
		if (what != ScopeFor::Key || !m.value.is_array())
			fail("\"values\" only in key scopes, and a list");
		for (const Json &v : m.value.items())
			if (!scalar_of(v) || (v.is_number() && !v.is_integer_literal()))
				fail("a value in \"values\" is a string, an integer or a boolean");
		return;
	}
	if (m.name != "any" || what == ScopeFor::Key || !m.value.is_array())
		fail("\"any\" only in payload and row scopes, and a list");
	for (const Json &c : m.value.items())
	{
		if (!c.is_object() || c.members().empty())
			fail("\"any\" holds non-empty objects");
		for (const Json::Member &cond : c.members())
		{
			if (!valid_path(cond.name))
				fail("a path in \"any\" is dot-separated non-empty keys");
			if (what == ScopeFor::Row && cond.name.rfind("k.", 0) != 0 &&
			    cond.name.rfind("p.", 0) != 0)
				fail("a row scope's paths start with k. or p.");
			if (!scalar_of(cond.value) ||
			    (cond.value.is_number() && !cond.value.is_integer_literal()))
				fail("a condition in \"any\" is a string, an integer or a boolean");
		}
	}
}

// column <@ scope for a key column (NULL lies only within {"all":true}).
bool key_in_scope(const Json &scope, const std::optional<Scalar> &v)
{
	const Json::Member &m = scope.members()[0];
	if (m.name == "all")
		return true;
	if (!v || m.name != "values")
		return false;
	for (const Json &x : m.value.items())
		if (*scalar_of(x) == *v)
			return true;
	return false;
}

// payload <@ scope (a SQL NULL payload lies only within {"all":true}).
bool doc_in_scope(const Json &scope, const std::optional<Json> &doc)
{
	const Json::Member &m = scope.members()[0];
	if (m.name == "all")
		return true;
	if (!doc || m.name != "any")
		return false;
	for (const Json &c : m.value.items())
	{
		bool all = true;
		for (const Json::Member &cond : c.members())
			all = all && json_matches(at_path(*doc, cond.name), *scalar_of(cond.value));
		if (all)
			return true;
	}
	return false;
}

// jsonb_build_object('k', jsonb_build_object(key, column, ...), 'p', payload)
Json row_document(const Row &row)
{
	Json k = Json::make_object();
	for (const auto &[name, v] : row.keys)
		k.mutable_members().push_back(Json::Member{name, v ? json_of(*v) : Json::make_null()});
	Json doc = Json::make_object();
	doc.mutable_members().push_back(Json::Member{"k", std::move(k)});
	doc.mutable_members().push_back(
	    Json::Member{"p", row.payload ? *row.payload : Json::make_null()});
	return doc;
}

// ---- candidate rows ----------------------------------------------------------------------

// Sets a dotted path in an object (creating objects, replacing non-objects on the way).
void set_path(Json *doc, std::string_view path, Json value)
{
	std::size_t dot = path.find('.');
	std::string seg(path.substr(0, dot));
	Json *slot = nullptr;
	for (Json::Member &m : doc->mutable_members())
		if (m.name == seg)
			slot = &m.value;
	if (slot == nullptr)
	{
		doc->mutable_members().push_back(Json::Member{seg, Json::make_null()});
		slot = &doc->mutable_members().back().value;
	}
	if (dot == std::string_view::npos)
	{
		*slot = std::move(value);
		return;
	}
	if (!slot->is_object())
		*slot = Json::make_object();
	set_path(slot, path.substr(dot + 1), std::move(value));
}

// A scalar of another JSON type with the "same" content (7 -> "7", "x" -> true, ...).
Scalar retyped(const Scalar &s)
{
	switch (s.kind)
	{
	case Scalar::Int:
		return Scalar{Scalar::Str, 0, std::to_string(s.i), false};
	case Scalar::Str:
		return Scalar{Scalar::Bool, 0, "", !s.s.empty()};
	case Scalar::Bool:
		break;
	}
	return Scalar{Scalar::Int, s.b ? 1 : 0, "", false};
}

// The row that satisfies one conjunction (keys from it, payload built from its paths).
Row row_for(const Json &conj, const std::vector<std::string> &key_names, int variant)
{
	Row r;
	for (const std::string &k : key_names)
		r.keys.emplace_back(k, std::nullopt);
	Json payload = Json::make_object();
	for (const Json::Member &m : conj.members())
	{
		Scalar v = *scalar_of(m.value);
		if (variant == 1)
			v = retyped(v);
		bool is_key = false;
		for (auto &k : r.keys)
			if (k.first == m.name)
			{
				k.second = v;
				is_key = true;
			}
		if (!is_key)
		{
			Json jv = json_of(v);
			if (variant == 2) // the value inside an array
			{
				Json arr = Json::make_array();
				arr.mutable_items().push_back(Json::make_string("other"));
				arr.mutable_items().push_back(std::move(jv));
				jv = std::move(arr);
			}
			set_path(&payload, m.name, std::move(jv));
		}
	}
	r.payload = std::move(payload);
	return r;
}

std::vector<Row> candidate_rows(const RefGrant &g, const std::vector<std::string> &key_names)
{
	std::vector<Row> rows;
	Row empty;
	for (const std::string &k : key_names)
		empty.keys.emplace_back(k, std::nullopt);
	rows.push_back(empty); // NULL keys, NULL payload
	empty.payload = Json::make_object();
	rows.push_back(empty); // NULL keys, {} payload
	std::size_t n = g.conjunctions.size() < 6 ? g.conjunctions.size() : 6;
	std::vector<Row> base;
	for (std::size_t i = 0; i < n; i++)
		for (int variant = 0; variant < 3; variant++)
		{
			Row r = row_for(*g.conjunctions[i], key_names, variant);
			if (variant == 0)
				base.push_back(r);
			rows.push_back(r);
			for (std::size_t k = 0; k < r.keys.size(); k++) // each key NULL in turn
			{
				Row nk = r;
				nk.keys[k].second.reset();
				rows.push_back(std::move(nk));
			}
			Row np = r;
			np.payload.reset();
			rows.push_back(std::move(np));
		}
	// One conjunction's keys with another's payload: what a product of projections admits.
	for (std::size_t i = 0; i < base.size(); i++)
		for (std::size_t j = 0; j < base.size(); j++)
			if (i != j)
			{
				Row mix = base[i];
				mix.payload = base[j].payload;
				rows.push_back(std::move(mix));
			}
	return rows;
}

// ---- the properties -----------------------------------------------------------------------

std::vector<std::string> collections_of(const Json &claims)
{
	std::vector<std::string> out = {"docs", "other"};
	if (const Json *access = claims.find("access"); access != nullptr && access->is_array())
		for (const Json &e : access->items())
			out.push_back(e.find("collection")->text());
	return out;
}

struct Scopes
{
	std::vector<std::string> keys; // one per key name
	std::string payload, row;
	bool exact;
};

Scopes scopes_of(const Grants &g, const std::string &c, const std::vector<std::string> &key_names)
{
	Scopes s;
	for (const std::string &k : key_names)
		s.keys.push_back(key_scope(g, c, k));
	s.payload = payload_scope(g, c, key_names);
	s.row = row_scope(g, c, key_names);
	s.exact = scope_is_exact(g, c, key_names);
	return s;
}

void check_accepted(const Json &claims, const Grants &grants, bool missing_manage,
                    const std::vector<std::string> &key_names)
{
	for (const std::string &c : collections_of(claims))
	{
		for (Operation op : {Operation::Read, Operation::Write, Operation::Truncate,
		                     Operation::Index, Operation::Manage})
			if (allows(grants, c, op) != ref_allows(claims, c, op, missing_manage))
				fail("allows() disagrees with the reference");

		Scopes s = scopes_of(grants, c, key_names);
		std::vector<Json> key_docs;
		for (const std::string &k : s.keys)
		{
			key_docs.push_back(parse_or_fail(k, "a key scope is JSON"));
			check_grammar(key_docs.back(), ScopeFor::Key);
			check_reader(k);
		}
		Json payload_doc = parse_or_fail(s.payload, "a payload scope is JSON");
		check_grammar(payload_doc, ScopeFor::Payload);
		check_reader(s.payload);
		Json row_doc = parse_or_fail(s.row, "a row scope is JSON");
		check_grammar(row_doc, ScopeFor::Row);
		check_reader(s.row);

		RefGrant ref = ref_grant(claims, c, missing_manage);
		bool readable = allows(grants, c, Operation::Read);
		if (!readable && ref.kind != RefGrant::Nothing)
			fail("a readable collection is not allowed");
		for (const Row &row : candidate_rows(ref, key_names))
		{
			bool granted = ref_admits(ref, row, key_names);
			bool keys_ok = true, any_key_ok = false;
			for (std::size_t i = 0; i < key_names.size(); i++)
			{
				bool in = key_in_scope(key_docs[i], *row.key(key_names[i]));
				keys_ok = keys_ok && in;
				any_key_ok = any_key_ok || in;
			}
			bool payload_ok = doc_in_scope(payload_doc, row.payload);
			bool row_ok = doc_in_scope(row_doc, row_document(row));
			bool policy = readable && keys_ok && payload_ok && (s.exact || row_ok);
			if (policy && !granted)
				fail("the policy admits a row the grant does not (a row outside the scope)");
			if (granted && !policy)
				fail("the policy refuses a row the grant admits");
			if (granted && !(keys_ok && payload_ok))
				fail("a key or payload scope excludes a granted row");
			if (readable && row_ok != granted)
				fail("the row scope is not exactly the grant");
			if (!readable && (any_key_ok || payload_ok || row_ok))
				fail("the scopes of an unreadable collection admit a row");
		}
	}
	if (grants.value_exists)
	{
		const Json *ve = claims.find("value_exists");
		const Json *matches = ve->find("matches");
		if (grants.value_exists->collection != ve->find("collection")->text() ||
		    grants.value_exists->matches.size() != matches->items().size())
			fail("value_exists: one pair per match, same collection");
		// Each pair on a key column is tested alone; the rest together on the payload.
		std::size_t on_keys = 0, on_payload = 0;
		for (const Condition &c : grants.value_exists->matches)
			(std::find(key_names.begin(), key_names.end(), c.key) != key_names.end()
			     ? on_keys
			     : on_payload)++;
		std::vector<LookupTest> tests = value_exists_tests(*grants.value_exists, key_names);
		if (tests.size() != on_keys + (on_payload ? 1 : 0))
			fail("value_exists tests: one per key-column pair, one for the payload pairs");
		for (const LookupTest &t : tests)
			(void)parse_or_fail(t.scope, "value_exists test scopes are JSON");
	}
	else if (claims.find("value_exists") != nullptr)
		fail("value_exists accepted but dropped");

	// The compact form of the claims is the same grant.
	Json again = parse_or_fail(compact(claims), "compact claims re-parse");
	Grants g2 =
	    parse_grants(again, missing_manage ? MissingAccess::Manage : MissingAccess::Nothing);
	for (const std::string &c : collections_of(claims))
	{
		Scopes a = scopes_of(grants, c, key_names), b = scopes_of(g2, c, key_names);
		if (a.keys != b.keys || a.payload != b.payload || a.row != b.row || a.exact != b.exact)
			fail("the same claims give other scopes");
	}
}

// ---- the generator ------------------------------------------------------------------------

const char *const kKeys[] = {"tenant",   "dept",  "dept.name", "a",    "a.b",  "a.b.c", "k.x",
                             "tenant.y", "level", "x",         ".bad", "a..b", "",      "bad."};
const char *const kCollections[] = {"docs", "other", "faq", "docs "};

Json gen_value(FuzzedDataProvider &in, int depth)
{
	switch (in.ConsumeIntegralInRange<int>(0, 15))
	{
	case 0:
		return Json::make_string(in.ConsumeBool() ? "sales" : "7");
	case 1:
	{
		// printable ASCII: the generator makes strict JSON, UTF-8 is the JSON target's business
		std::string s = in.ConsumeRandomLengthString(8);
		for (char &ch : s)
			ch = static_cast<char>(' ' + static_cast<unsigned char>(ch) % 95);
		return Json::make_string(s);
	}
	case 2:
		return Json::make_bool(in.ConsumeBool());
	case 3:
		return Json::make_null();
	case 4:
		return Json::make_number(in.ConsumeBool() ? "9223372036854775807" : "-9223372036854775808");
	case 5:
		return Json::make_number(in.ConsumeBool() ? "9223372036854775808" : "-9223372036854775809");
	case 6:
		return Json::make_number(in.ConsumeBool() ? "1.0" : "7e0");
	case 7:
		return Json::make_number(in.ConsumeBool() ? "-0" : "0");
	case 8:
		if (depth < 3)
		{
			Json a = Json::make_array();
			a.mutable_items().push_back(gen_value(in, depth + 1));
			return a;
		}
		return Json::make_number("1");
	case 9:
		return Json::make_object();
	default:
		return Json::make_number(std::to_string(in.ConsumeIntegralInRange<int>(-2, 9)));
	}
}

Json gen_conjunction(FuzzedDataProvider &in)
{
	Json o = Json::make_object();
	int n = in.ConsumeIntegralInRange<int>(0, 3);
	for (int i = 0; i < n; i++)
	{
		std::string key = in.ConsumeBool() ? kKeys[in.ConsumeIntegralInRange<int>(0, 3)]
		                                   : kKeys[in.ConsumeIntegralInRange<int>(0, 13)];
		if (o.find(key) != nullptr)
			continue; // strict JSON has no duplicate names
		o.mutable_members().push_back(Json::Member{key, gen_value(in, 0)});
	}
	return o;
}

Json gen_payload(FuzzedDataProvider &in)
{
	switch (in.ConsumeIntegralInRange<int>(0, 6))
	{
	case 0:
		return Json::make_null();
	case 1:
	case 2:
		return gen_conjunction(in);
	case 3:
		return gen_value(in, 0);
	default:
	{
		Json a = Json::make_array();
		int n = in.ConsumeIntegralInRange<int>(0, 4);
		for (int i = 0; i < n; i++)
			a.mutable_items().push_back(in.ConsumeIntegralInRange<int>(0, 9) ? gen_conjunction(in)
			                                                                 : gen_value(in, 0));
		return a;
	}
	}
}

Json gen_entry(FuzzedDataProvider &in)
{
	if (in.ConsumeIntegralInRange<int>(0, 20) == 0)
		return gen_value(in, 0);
	Json e = Json::make_object();
	int shape = in.ConsumeIntegralInRange<int>(0, 15);
	if (shape != 1)
		e.mutable_members().push_back(Json::Member{
		    "collection",
		    shape == 2 ? gen_value(in, 0)
		               : Json::make_string(kCollections[in.ConsumeIntegralInRange<int>(0, 3)])});
	if (shape != 3)
	{
		static const char *const modes[] = {"r", "rw", "prw", "m", "R", ""};
		e.mutable_members().push_back(Json::Member{
		    "access",
		    shape == 4
		        ? gen_value(in, 0)
		        : Json::make_string(modes[in.ConsumeIntegralInRange<int>(0, shape == 5 ? 5 : 2)])});
	}
	if (in.ConsumeBool())
		e.mutable_members().push_back(Json::Member{"payload", gen_payload(in)});
	if (shape == 6)
		e.mutable_members().push_back(Json::Member{"extra", Json::make_number("1")});
	return e;
}

Json gen_claims(FuzzedDataProvider &in)
{
	Json c = Json::make_object();
	c.mutable_members().push_back(Json::Member{"exp", Json::make_number("4000000000")});
	switch (in.ConsumeIntegralInRange<int>(0, 7))
	{
	case 0:
		break; // no access
	case 1:
		c.mutable_members().push_back(
		    Json::Member{"access", Json::make_string(in.ConsumeBool() ? "r" : "m")});
		break;
	case 2:
		c.mutable_members().push_back(Json::Member{"access", gen_value(in, 0)});
		break;
	default:
	{
		Json a = Json::make_array();
		int n = in.ConsumeIntegralInRange<int>(0, 4);
		for (int i = 0; i < n; i++)
			a.mutable_items().push_back(gen_entry(in));
		c.mutable_members().push_back(Json::Member{"access", std::move(a)});
	}
	}
	if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
	{
		Json ve = Json::make_object();
		int shape = in.ConsumeIntegralInRange<int>(0, 9);
		if (shape != 1)
			ve.mutable_members().push_back(Json::Member{
			    "collection", shape == 2 ? gen_value(in, 0) : Json::make_string("staff")});
		Json matches = Json::make_array();
		int n = in.ConsumeIntegralInRange<int>(shape == 3 ? 0 : 1, 3);
		for (int i = 0; i < n; i++)
		{
			Json m = Json::make_object();
			m.mutable_members().push_back(Json::Member{
			    "key", shape == 4
			               ? gen_value(in, 0)
			               : Json::make_string(kKeys[in.ConsumeIntegralInRange<int>(0, 13)])});
			if (shape != 5)
				m.mutable_members().push_back(Json::Member{"value", gen_value(in, 0)});
			if (shape == 6)
				m.mutable_members().push_back(Json::Member{"extra", Json::make_null()});
			matches.mutable_items().push_back(std::move(m));
		}
		if (shape != 7)
			ve.mutable_members().push_back(Json::Member{"matches", std::move(matches)});
		c.mutable_members().push_back(Json::Member{"value_exists", std::move(ve)});
	}
	return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const std::uint8_t mode = data[0];
	const bool missing_manage = mode & 1;
	static const std::vector<std::string> kKeyNames[] = {
	    {}, {"tenant"}, {"tenant", "dept"}, {"a", "dept"}};
	const std::vector<std::string> &key_names = kKeyNames[(mode >> 1) & 3];

	Json claims;
	if (mode & 8)
	{
		FuzzedDataProvider in(data + 1, size - 1);
		claims = parse_or_fail(compact(gen_claims(in)), "generated claims are strict JSON");
	}
	else
	{
		std::string text(reinterpret_cast<const char *>(data) + 1, size - 1);
		if (vecrbac::jwt::parse_json_strict(text, kMaxDepth, &claims) != JsonError::None)
			return 0; // the JSON parser has its own target (jwt_json_keys_fuzzer)
	}

	Grants grants;
	try
	{
		grants =
		    parse_grants(claims, missing_manage ? MissingAccess::Manage : MissingAccess::Nothing);
	}
	catch (const vecrbac::SqlError &e)
	{
		if (std::strcmp(e.sqlstate(), "28000") != 0 ||
		    std::string_view(e.what()).rfind("invalid token claims: ", 0) != 0)
			fail("a refusal is SqlError 28000 \"invalid token claims: ...\"");
		return 0;
	}
	if (!claims.is_object())
		fail("claims that are not an object were accepted");
	check_accepted(claims, grants, missing_manage, key_names);
	return 0;
}

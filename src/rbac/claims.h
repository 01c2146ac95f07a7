/*
 * claims.h: what a verified token grants (pure C++, no PostgreSQL).
 *
 * A token's claims are read once, when the token is verified, into Grants:
 *
 *   "access": "r"                      read every collection
 *   "access": "m"                      everything, manage operations included
 *   "access": [ {"collection": "docs", "access": "r" | "rw" | "prw",
 *                "payload": {"tenant": 7, "dept.name": "sales"}}, ... ]
 *   (no "access")                      nothing, or "m" with vecrbac.missing_access = 'm'
 *   "value_exists": {"collection": "users",
 *                    "matches": [{"key": "user", "value": "alice"}, ...]}
 *
 * A collection appears at most once. "payload" restricts the rows of its entry: an
 * object is one conjunction (every key must match), a list of objects is a
 * disjunction of conjunctions. Keys are dotted paths into the payload column, or the
 * names of key columns (vecrbac.protect's key_columns). Values are strings, integers
 * (within int64) or booleans. Anything else (duplicate collection, unknown mode,
 * unknown member, wrong JSON type) rejects the whole token with SQLSTATE 28000.
 *
 * From Grants, the policies ask for per-column scopes (the vecrbac.scope documents
 * of src/scope/scope.h, as JSON text): the token's rows projected onto one key
 * column or onto the payload column. When the grant is not the product of those
 * projections (a disjunction whose conjunctions restrict different columns), the
 * policy adds the exact test: the row's key values and payload as one document,
 * {"k": {key: value, ...}, "p": payload}, against row_scope().
 */
#pragma once

#include "jwt/json_strict.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vecrbac::rbac
{

enum class Global : std::uint8_t
{
	None,   /* per-collection grants only (or nothing) */
	Read,   /* "r": read every collection */
	Manage, /* "m": everything */
};

enum class Mode : std::uint8_t
{
	Read,           /* "r" */
	ReadWrite,      /* "rw": read, write, manage the collection's indexes */
	PointReadWrite, /* "prw": read and write rows */
};

/* What a statement or call wants to do with a collection. */
enum class Operation : std::uint8_t
{
	Read,     /* SELECT, and the read side of every write */
	Write,    /* INSERT, UPDATE, DELETE */
	Truncate, /* TRUNCATE: a write that must be allowed on every row */
	Index,    /* index management on one collection */
	Manage,   /* create_collection, drop_collection */
};

/* vecrbac.missing_access: what a token without "access" grants. */
enum class MissingAccess : std::uint8_t
{
	Nothing,
	Manage,
};

/* One key = value test: key is a dotted payload path or a key column's name. */
struct Condition
{
	std::string key;
	jwt::Json value; /* string, integer (as canonical decimal text) or boolean */
};

using Conjunction = std::vector<Condition>;

struct CollectionGrant
{
	std::string collection;
	Mode mode = Mode::Read;
	/* Empty: every row. Otherwise the rows matching any one conjunction (none is empty). */
	std::vector<Conjunction> payload;
};

struct ValueExists
{
	std::string collection;
	Conjunction matches; /* non-empty, keys unique */
};

struct Grants
{
	Global global = Global::None;
	std::vector<CollectionGrant> collections;
	std::optional<ValueExists> value_exists;

	/* The entry for a collection, or nullptr. */
	const CollectionGrant *find(std::string_view collection) const noexcept;
};

/* Reads the grants of verified claims (an object); throws SqlError 28000. */
Grants parse_grants(const jwt::Json &claims, MissingAccess missing);

/* Whether the token allows op on the collection (Manage ignores the collection). */
bool allows(const Grants &grants, std::string_view collection, Operation op) noexcept;

/* A stable name for an operation name from SQL ("read", "write", ...); false if unknown. */
bool parse_operation(std::string_view name, Operation *out) noexcept;

/*
 * Scopes, as vecrbac.scope JSON text. key_names are the token keys that name key
 * columns (the other keys are payload paths). A collection without a grant gets the
 * empty scope; a global grant or an unrestricted entry gets {"all":true}.
 */
std::string key_scope(const Grants &grants, std::string_view collection, std::string_view key);
std::string payload_scope(const Grants &grants, std::string_view collection,
                          std::span<const std::string> key_names);
/* True when the key and payload scopes together are exactly the grant. */
bool scope_is_exact(const Grants &grants, std::string_view collection,
                    std::span<const std::string> key_names);
/* The exact grant over {"k": {key: value}, "p": payload}. */
std::string row_scope(const Grants &grants, std::string_view collection,
                      std::span<const std::string> key_names);

/* What JSON values a key column can hold: integers, booleans, or strings (text, uuid). */
enum class KeyKind : std::uint8_t
{
	Integer,
	Boolean,
	String,
};

struct KeyColumn
{
	std::string key;       /* the token key */
	std::string column;    /* the column's name */
	KeyKind kind;          /* what it holds */
	std::string type_name; /* its SQL type, for messages */
};

/* key_columns as registered ({"token key": "column", ...}); throws SqlError 22023 if malformed. */
std::vector<std::pair<std::string, std::string>> parse_key_columns(std::string_view json);

/*
 * Throws SqlError 28000 when the token's entry for the collection restricts a key column
 * with a value of a JSON type that column can never hold (a string for an integer column,
 * a number for a uuid): such a grant would silently match nothing.
 */
void check_key_types(const Grants &grants, std::string_view collection,
                     std::span<const KeyColumn> columns);

/* At most this many pairs in "value_exists" (each is a condition of a per-statement lookup). */
constexpr std::size_t kMaxValueExistsPairs = 16;

/*
 * Throws SqlError 28000 when the token may write the collection of its own
 * value_exists condition: it could insert a matching row and so keep itself valid
 * after an administrator removed the one that made it valid. vecrbac.
 * allow_writable_value_exists lets a superuser accept such tokens.
 */
void refuse_writable_value_exists(const Grants &grants);

/*
 * The tests of a value_exists lookup, each a column and the vecrbac.scope its value
 * must lie in: one per pair whose key names a key column ({"values": [v]}), so two
 * keys of one column are both tested, and one for all payload pairs together
 * ({"any": [{path: v, ...}]}, column empty).
 */
struct LookupTest
{
	std::string key; /* the key column's token key; empty for the payload test */
	std::string scope;
};
std::vector<LookupTest> value_exists_tests(const ValueExists &ve,
                                           std::span<const std::string> key_names);

} // namespace vecrbac::rbac

/*
 * scope.h: the vecrbac.scope document, its one contract (pure C++, no PostgreSQL).
 *
 * A scope is the set of values a token may see in one column, written as JSON:
 *   {"all": true}                          every value
 *   {"values": [42, "sales", true]}        any of these values (scalar columns)
 *   {"any": [{"dept": "x", "team.id": 7}]} payload objects: any one conjunction of
 *                                          dotted paths and values must hold
 * Values are strings, integers (within int64) or booleans. An empty list matches
 * nothing; an empty object in "any" matches every payload.
 *
 * This file is where the format lives: the claims write scopes with to_json()
 * (src/rbac/claims.cpp), the vecrbac.scope type validates and reads them with parse()
 * (src/scope_sql/scope.cpp), and the hnsw index compiles the parsed model into keys
 * (src/hnsw/hnsw_filter.cpp). How values match rows is the glue's (scope_sql/scope.h).
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vecrbac::scope
{

/* A scope value: a string, an integer or a boolean. */
struct Value
{
	enum class Type : std::uint8_t
	{
		String,
		Integer,
		Boolean,
	};
	Type type = Type::String;
	std::string string;
	std::int64_t integer = 0;
	bool boolean = false;

	static Value of_string(std::string_view s);
	static Value of_integer(std::int64_t i);
	static Value of_boolean(bool b);
	bool operator==(const Value &other) const noexcept;
};

/* One condition of a payload conjunction: a dotted path and the value found there. */
struct Condition
{
	std::string path;
	Value value;
};

using Conjunction = std::vector<Condition>;

struct Scope
{
	enum class Kind : std::uint8_t
	{
		All,
		Values,
		Any,
	};
	Kind kind = Kind::All;
	std::vector<Value> values;    /* Kind::Values, in the document's order */
	std::vector<Conjunction> any; /* Kind::Any, conditions in the document's order */
};

/* The compact JSON text of a scope (members and values in the model's order). */
std::string to_json(const Scope &scope);

/*
 * Validates the JSON text of a scope and reads it into *out. On a scope that breaks
 * the format, returns false with *error saying why (the errdetail of SQLSTATE 22023
 * "invalid scope"): the first problem in document order, so a document whose object
 * members are in jsonb's order gets the same answer as it always has. Text that is
 * not JSON at all also returns false.
 */
bool parse(std::string_view json, Scope *out, std::string *error);

/* A dotted path: non-empty names separated by single dots. */
bool valid_path(std::string_view path) noexcept;

/* The names of a valid dotted path. */
std::vector<std::string_view> path_names(std::string_view path);

/*
 * The 16 bytes of a uuid spelled as text: 32 hexadecimal digits of either case, with
 * any hyphens and braces ignored (the spellings PostgreSQL's uuid input accepts, and
 * more); false if text spells no uuid.
 */
bool uuid_bytes(std::string_view text, unsigned char out[16]) noexcept;

/*
 * The value of a JSON number's text when it is an integer within int64 ("7", "7.0",
 * "1e2", "-0"); nullopt when it has a fraction or is out of range.
 */
std::optional<std::int64_t> integer_of_number(std::string_view text) noexcept;

} // namespace vecrbac::scope

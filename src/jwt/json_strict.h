/*
 * json_strict.h: strict JSON for JWT headers and claims, and the small DOM the
 * rest of vecrbac reads them through.
 *
 * rapidjson parses (SAX); the handler here adds the rules RFC 8259 leaves open and
 * that matter for security tokens:
 *  - no duplicate member names in any object at any depth (RFC 7515 4: "MUST
 *    reject" or use the last one; we reject, so two parsers can never disagree);
 *  - valid UTF-8 everywhere, including what \u escapes produce (a lone surrogate
 *    escape is refused), and no NUL character in any string or name;
 *  - nesting depth bounded (arrays and objects both count, the root is depth 1);
 *  - nothing after the root value but whitespace;
 *  - numbers must fit an IEEE double's range (rapidjson refuses 1e400): no
 *    mainstream JWT library could read such a claim anyway.
 *
 * Numbers are kept as their exact source text, so an integer NumericDate is never
 * rounded through a double, and whether a number was written as an integer
 * ("12") or not ("12.0", "1.2e1") stays visible.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vecrbac::jwt
{

class Json
{
  public:
	enum class Type : std::uint8_t
	{
		Null,
		Bool,
		Number,
		String,
		Array,
		Object,
	};
	struct Member;

	Json() = default;

	Type type() const noexcept { return type_; }
	bool is_null() const noexcept { return type_ == Type::Null; }
	bool is_bool() const noexcept { return type_ == Type::Bool; }
	bool is_number() const noexcept { return type_ == Type::Number; }
	bool is_string() const noexcept { return type_ == Type::String; }
	bool is_array() const noexcept { return type_ == Type::Array; }
	bool is_object() const noexcept { return type_ == Type::Object; }

	bool as_bool() const noexcept { return bool_; }
	/* A string's value, or a number's exact source text. */
	const std::string &text() const noexcept { return text_; }
	/* True for a number written without fraction or exponent ("-12", not "12.0"). */
	bool is_integer_literal() const noexcept;
	/* The value of an integer literal that fits in int64; nullopt otherwise. */
	std::optional<std::int64_t> as_int64() const noexcept;

	const std::vector<Json> &items() const noexcept { return items_; }
	const std::vector<Member> &members() const noexcept { return members_; }
	/* The member called name, or nullptr (also when this is not an object). */
	const Json *find(std::string_view name) const noexcept;

	/* Construction, used by the parser and by callers building values. */
	static Json make_null();
	static Json make_bool(bool b);
	static Json make_number(std::string_view source_text); /* caller guarantees JSON syntax */
	static Json make_string(std::string_view s);
	static Json make_array();
	static Json make_object();
	std::vector<Json> &mutable_items() noexcept { return items_; }
	std::vector<Member> &mutable_members() noexcept { return members_; }
	/* In-place setters, for a value that is still null (the parser fills slots). */
	void set_bool(bool b) noexcept;
	void set_number(std::string_view source_text);
	void set_string(std::string_view s);
	void set_array() noexcept { type_ = Type::Array; }
	void set_object() noexcept { type_ = Type::Object; }

  private:
	Type type_ = Type::Null;
	bool bool_ = false;
	std::string text_;
	std::vector<Json> items_;
	std::vector<Member> members_;
};

struct Json::Member
{
	std::string name;
	Json value;
};

enum class JsonError : std::uint8_t
{
	None,
	Syntax,        /* not JSON */
	NumberRange,   /* a number beyond the range of a double (1e400) */
	InvalidUtf8,   /* invalid UTF-8, or a lone surrogate escape */
	NulCharacter,  /* U+0000 in a string or member name, raw or escaped */
	DuplicateName, /* two members with the same name in one object */
	TooDeep,       /* nesting deeper than the limit */
	Trailing,      /* bytes after the root value */
};

/* A short lower-case description ("duplicate member name"), for error messages. */
const char *json_error_text(JsonError err) noexcept;

/* Parses text under the rules above into *out; on error *out is unspecified. */
JsonError parse_json_strict(std::string_view text, int max_depth, Json *out);

/* Compact serialization (no insignificant whitespace), members in their order. */
void write_json_compact(const Json &value, std::string *out);

} // namespace vecrbac::jwt

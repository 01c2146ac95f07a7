/*
 * scope.cpp: the vecrbac.scope format: writing, reading and validating it (scope.h).
 * Pure C++: a small JSON reader of its own (no recursion below the depth a scope can
 * have, so a deeply nested document costs no stack) and the format's rules.
 */
#include "scope/scope.h"

#include "jwt/json_strict.h"

#include <cstring>
#include <utility>

namespace vecrbac::scope
{

namespace
{

/* A JSON value as far as a scope can be nested; deeper containers keep only their type. */
struct Node
{
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

	Type type = Type::Null;
	bool boolean = false;
	std::string text; /* a string's value, or a number's source text */
	std::vector<Node> items;
	std::vector<Member> members;
};

struct Node::Member
{
	std::string name;
	Node value;
};

/* Containers deeper than this (the root is depth 1) are skipped: a scope's values are at 3. */
constexpr int kMaxReadDepth = 3;

class Reader
{
  public:
	explicit Reader(std::string_view text) : s_(text) {}

	/* The whole text as one value; false if it is not JSON. */
	bool document(Node *out)
	{
		if (!value(out, 1))
			return false;
		space();
		return i_ == s_.size();
	}

  private:
	std::string_view s_;
	std::size_t i_ = 0;

	void space()
	{
		while (i_ < s_.size() &&
		       (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
			i_++;
	}

	bool literal(std::string_view word)
	{
		if (s_.substr(i_, word.size()) != word)
			return false;
		i_ += word.size();
		return true;
	}

	bool digits()
	{
		std::size_t start = i_;
		while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9')
			i_++;
		return i_ > start;
	}

	bool number(std::string *out)
	{
		std::size_t start = i_;
		if (i_ < s_.size() && s_[i_] == '-')
			i_++;
		if (i_ < s_.size() && s_[i_] == '0')
			i_++;
		else if (!digits())
			return false;
		if (i_ < s_.size() && s_[i_] == '.')
		{
			i_++;
			if (!digits())
				return false;
		}
		if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E'))
		{
			i_++;
			if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-'))
				i_++;
			if (!digits())
				return false;
		}
		out->assign(s_.substr(start, i_ - start));
		return true;
	}

	bool hex4(unsigned *out)
	{
		if (i_ + 4 > s_.size())
			return false;
		unsigned v = 0;
		for (int k = 0; k < 4; k++)
		{
			char c = s_[i_++];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return false;
		}
		*out = v;
		return true;
	}

	static void utf8(unsigned cp, std::string *out)
	{
		if (cp < 0x80)
			out->push_back((char)cp);
		else if (cp < 0x800)
		{
			out->push_back((char)(0xC0 | (cp >> 6)));
			out->push_back((char)(0x80 | (cp & 0x3F)));
		}
		else if (cp < 0x10000)
		{
			out->push_back((char)(0xE0 | (cp >> 12)));
			out->push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
			out->push_back((char)(0x80 | (cp & 0x3F)));
		}
		else
		{
			out->push_back((char)(0xF0 | (cp >> 18)));
			out->push_back((char)(0x80 | ((cp >> 12) & 0x3F)));
			out->push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
			out->push_back((char)(0x80 | (cp & 0x3F)));
		}
	}

	/* A string at i_ (the opening quote); its value into out when out is not null. */
	bool string(std::string *out)
	{
		if (i_ >= s_.size() || s_[i_] != '"')
			return false;
		i_++;
		while (i_ < s_.size())
		{
			char c = s_[i_++];
			if (c == '"')
				return true;
			if ((unsigned char)c < 0x20)
				return false;
			if (c != '\\')
			{
				if (out)
					out->push_back(c);
				continue;
			}
			if (i_ >= s_.size())
				return false;
			char e = s_[i_++];
			unsigned cp;
			switch (e)
			{
			case '"':
			case '\\':
			case '/':
				cp = (unsigned char)e;
				break;
			case 'b':
				cp = '\b';
				break;
			case 'f':
				cp = '\f';
				break;
			case 'n':
				cp = '\n';
				break;
			case 'r':
				cp = '\r';
				break;
			case 't':
				cp = '\t';
				break;
			case 'u':
				if (!hex4(&cp))
					return false;
				if (cp >= 0xD800 && cp < 0xDC00)
				{
					unsigned low;
					if (!literal("\\u") || !hex4(&low) || low < 0xDC00 || low >= 0xE000)
						return false;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
				}
				else if (cp >= 0xDC00 && cp < 0xE000)
					return false;
				break;
			default:
				return false;
			}
			if (out)
				utf8(cp, out);
		}
		return false;
	}

	/* Skips the container at i_ without recursion (only its brackets and strings matter). */
	bool skip_container()
	{
		int open = 0;
		while (i_ < s_.size())
		{
			char c = s_[i_];
			if (c == '"')
			{
				if (!string(nullptr))
					return false;
				continue;
			}
			i_++;
			if (c == '[' || c == '{')
				open++;
			else if (c == ']' || c == '}')
			{
				if (--open == 0)
					return true;
			}
		}
		return false;
	}

	bool value(Node *out, int depth)
	{
		space();
		if (i_ >= s_.size())
			return false;
		char c = s_[i_];
		if (c == '{' || c == '[')
		{
			out->type = c == '{' ? Node::Type::Object : Node::Type::Array;
			if (depth > kMaxReadDepth)
				return skip_container();
			i_++;
			space();
			char close = c == '{' ? '}' : ']';
			if (i_ < s_.size() && s_[i_] == close)
			{
				i_++;
				return true;
			}
			for (;;)
			{
				if (c == '{')
				{
					out->members.emplace_back();
					space();
					if (!string(&out->members.back().name))
						return false;
					space();
					if (i_ >= s_.size() || s_[i_++] != ':')
						return false;
					if (!value(&out->members.back().value, depth + 1))
						return false;
				}
				else
				{
					out->items.emplace_back();
					if (!value(&out->items.back(), depth + 1))
						return false;
				}
				space();
				if (i_ >= s_.size())
					return false;
				char next = s_[i_++];
				if (next == close)
					return true;
				if (next != ',')
					return false;
			}
		}
		if (c == '"')
		{
			out->type = Node::Type::String;
			return string(&out->text);
		}
		if (c == 't' || c == 'f')
		{
			out->type = Node::Type::Bool;
			out->boolean = c == 't';
			return literal(c == 't' ? "true" : "false");
		}
		if (c == 'n')
			return literal("null");
		out->type = Node::Type::Number;
		return number(&out->text);
	}
};

/* A scalar node as a scope value; false for null, a fraction or a container. */
bool value_of(const Node &n, Value *out)
{
	switch (n.type)
	{
	case Node::Type::String:
		*out = Value::of_string(n.text);
		return true;
	case Node::Type::Bool:
		*out = Value::of_boolean(n.boolean);
		return true;
	case Node::Type::Number:
		if (std::optional<std::int64_t> i = integer_of_number(n.text))
		{
			*out = Value::of_integer(*i);
			return true;
		}
		return false;
	default:
		return false;
	}
}

bool is_container(const Node &n)
{
	return n.type == Node::Type::Array || n.type == Node::Type::Object;
}

const char kShape[] = "A scope is an object with exactly one of \"all\", \"values\" or \"any\".";

/* The rules of the format over a read document; the first problem in document order. */
bool read_scope(const Node &doc, Scope *out, std::string *error)
{
	auto fail = [&](const char *why)
	{
		*error = why;
		return false;
	};
	if (doc.type != Node::Type::Object || doc.members.size() != 1)
		return fail(kShape);
	const std::string &name = doc.members[0].name;
	const Node &list = doc.members[0].value;
	if (name == "all")
	{
		if (list.type != Node::Type::Bool || !list.boolean)
			return fail("\"all\" must be true.");
		*out = Scope{};
		return true;
	}
	bool values = name == "values";
	if (!values && name != "any")
		return fail(kShape);
	if (list.type != Node::Type::Array)
		return fail(values ? "\"values\" must be an array." : "\"any\" must be an array.");

	Scope scope;
	scope.kind = values ? Scope::Kind::Values : Scope::Kind::Any;
	for (const Node &item : list.items)
	{
		if (values)
		{
			if (is_container(item))
				return fail("\"values\" must hold strings, integers or booleans.");
			Value v;
			if (!value_of(item, &v))
				return fail("a value in \"values\" must be a string, an integer or a boolean");
			scope.values.push_back(std::move(v));
			continue;
		}
		if (item.type != Node::Type::Object)
			return fail("\"any\" must hold objects.");
		Conjunction conjunction;
		for (const Node::Member &member : item.members)
		{
			const std::string &path = member.name;
			const Node &condition = member.value;
			if (!valid_path(path))
				return fail("a path in \"any\" must be dot-separated, non-empty keys");
			Value v;
			if (!value_of(condition, &v))
				return fail("a condition in \"any\" must be a string, an integer or a boolean");
			conjunction.push_back(Condition{path, std::move(v)});
		}
		scope.any.push_back(std::move(conjunction));
	}
	*out = std::move(scope);
	return true;
}

jwt::Json json_of(const Value &v)
{
	switch (v.type)
	{
	case Value::Type::String:
		return jwt::Json::make_string(v.string);
	case Value::Type::Integer:
		return jwt::Json::make_number(std::to_string(v.integer));
	case Value::Type::Boolean:
		break;
	}
	return jwt::Json::make_bool(v.boolean);
}

} // namespace

Value Value::of_string(std::string_view s)
{
	Value v;
	v.type = Type::String;
	v.string.assign(s);
	return v;
}

Value Value::of_integer(std::int64_t i)
{
	Value v;
	v.type = Type::Integer;
	v.integer = i;
	return v;
}

Value Value::of_boolean(bool b)
{
	Value v;
	v.type = Type::Boolean;
	v.boolean = b;
	return v;
}

bool Value::operator==(const Value &other) const noexcept
{
	if (type != other.type)
		return false;
	switch (type)
	{
	case Type::String:
		return string == other.string;
	case Type::Integer:
		return integer == other.integer;
	case Type::Boolean:
		break;
	}
	return boolean == other.boolean;
}

std::string to_json(const Scope &scope)
{
	jwt::Json doc = jwt::Json::make_object();
	switch (scope.kind)
	{
	case Scope::Kind::All:
		doc.mutable_members().push_back(jwt::Json::Member{"all", jwt::Json::make_bool(true)});
		break;
	case Scope::Kind::Values:
	{
		jwt::Json values = jwt::Json::make_array();
		for (const Value &v : scope.values)
			values.mutable_items().push_back(json_of(v));
		doc.mutable_members().push_back(jwt::Json::Member{"values", std::move(values)});
		break;
	}
	case Scope::Kind::Any:
	{
		jwt::Json any = jwt::Json::make_array();
		for (const Conjunction &c : scope.any)
		{
			jwt::Json obj = jwt::Json::make_object();
			for (const Condition &x : c)
				obj.mutable_members().push_back(jwt::Json::Member{x.path, json_of(x.value)});
			any.mutable_items().push_back(std::move(obj));
		}
		doc.mutable_members().push_back(jwt::Json::Member{"any", std::move(any)});
		break;
	}
	}
	std::string out;
	jwt::write_json_compact(doc, &out);
	return out;
}

bool parse(std::string_view json, Scope *out, std::string *error)
{
	Node doc;
	if (!Reader(json).document(&doc))
	{
		*error = "A scope is JSON text.";
		return false;
	}
	return read_scope(doc, out, error);
}

bool valid_path(std::string_view path) noexcept
{
	if (path.empty() || path.front() == '.' || path.back() == '.')
		return false;
	return path.find("..") == std::string_view::npos;
}

std::vector<std::string_view> path_names(std::string_view path)
{
	std::vector<std::string_view> names;
	std::size_t start = 0;
	for (std::size_t i = 0; i <= path.size(); i++)
		if (i == path.size() || path[i] == '.')
		{
			names.push_back(path.substr(start, i - start));
			start = i + 1;
		}
	return names;
}

bool uuid_bytes(std::string_view text, unsigned char out[16]) noexcept
{
	int n = 0;
	for (char c : text)
	{
		if (c == '{' || c == '}' || c == '-')
			continue;
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (n == 32)
			return false;
		if (n % 2 == 0)
			out[n / 2] = (unsigned char)(d << 4);
		else
			out[n / 2] |= (unsigned char)d;
		n++;
	}
	return n == 32;
}

std::optional<std::int64_t> integer_of_number(std::string_view text) noexcept
{
	bool negative = !text.empty() && text.front() == '-';
	if (negative)
		text.remove_prefix(1);
	/* The significant digits, and where the decimal point falls among them. */
	char digits[64];
	std::size_t ndigits = 0;
	long long point = 0;
	bool in_fraction = false;
	std::size_t i = 0;
	bool any_digit = false;
	for (; i < text.size(); i++)
	{
		char c = text[i];
		if (c == '.')
		{
			if (in_fraction)
				return std::nullopt;
			in_fraction = true;
			continue;
		}
		if (c < '0' || c > '9')
			break;
		any_digit = true;
		if (ndigits == 0 && c == '0')
		{
			if (in_fraction)
				point--; /* a leading zero after the point shifts the digits right */
			continue;
		}
		if (!in_fraction)
			point++;
		if (ndigits == sizeof(digits))
		{
			/* A 65th significant digit lies beyond int64's 19 digits or in the fraction. */
			if (c != '0')
				return std::nullopt;
			continue;
		}
		digits[ndigits++] = c;
	}
	if (!any_digit)
		return std::nullopt;
	if (i < text.size())
	{
		if (text[i] != 'e' && text[i] != 'E')
			return std::nullopt;
		i++;
		bool exp_negative = false;
		if (i < text.size() && (text[i] == '+' || text[i] == '-'))
			exp_negative = text[i++] == '-';
		if (i == text.size())
			return std::nullopt;
		long long exp = 0;
		for (; i < text.size(); i++)
		{
			if (text[i] < '0' || text[i] > '9')
				return std::nullopt;
			if (exp < 100000)
				exp = exp * 10 + (text[i] - '0');
		}
		point += exp_negative ? -exp : exp;
	}
	/* Zero digits: the number is zero, whatever its exponent. */
	while (ndigits > 0 && digits[ndigits - 1] == '0')
		ndigits--;
	if (ndigits == 0)
		return 0;
	if (point < (long long)ndigits || point > 19)
		return std::nullopt; /* a fraction, or more than 19 integer digits */
	unsigned __int128 v = 0;
	for (long long k = 0; k < point; k++)
		v = v * 10 + (unsigned)(k < (long long)ndigits ? digits[k] - '0' : 0);
	unsigned __int128 limit = (unsigned __int128)INT64_MAX + (negative ? 1 : 0);
	if (v > limit)
		return std::nullopt;
	return negative ? (std::int64_t)(0 - (std::uint64_t)v) : (std::int64_t)v;
}

} // namespace vecrbac::scope

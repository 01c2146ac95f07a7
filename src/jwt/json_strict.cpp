/*
 * json_strict.cpp: rapidjson SAX parsing into Json, with vecrbac's strictness rules.
 */
#include "jwt/json_strict.h"

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace vecrbac::jwt
{

/* ---- Json ------------------------------------------------------------------------ */

Json Json::make_null()
{
	return Json();
}

void Json::set_bool(bool b) noexcept
{
	type_ = Type::Bool;
	bool_ = b;
}

void Json::set_number(std::string_view source_text)
{
	type_ = Type::Number;
	text_.assign(source_text);
}

void Json::set_string(std::string_view s)
{
	type_ = Type::String;
	text_.assign(s);
}

Json Json::make_bool(bool b)
{
	Json j;
	j.type_ = Type::Bool;
	j.bool_ = b;
	return j;
}

Json Json::make_number(std::string_view source_text)
{
	Json j;
	j.type_ = Type::Number;
	j.text_.assign(source_text);
	return j;
}

Json Json::make_string(std::string_view s)
{
	Json j;
	j.type_ = Type::String;
	j.text_.assign(s);
	return j;
}

Json Json::make_array()
{
	Json j;
	j.type_ = Type::Array;
	return j;
}

Json Json::make_object()
{
	Json j;
	j.type_ = Type::Object;
	return j;
}

bool Json::is_integer_literal() const noexcept
{
	return type_ == Type::Number && text_.find_first_of(".eE") == std::string::npos;
}

std::optional<std::int64_t> Json::as_int64() const noexcept
{
	if (!is_integer_literal())
		return std::nullopt;
	std::string_view digits = text_;
	bool negative = !digits.empty() && digits[0] == '-';
	if (negative)
		digits.remove_prefix(1);
	if (digits.empty())
		return std::nullopt;
	/* Accumulate as a negative number so INT64_MIN is representable. */
	std::int64_t value = 0;
	for (char c : digits)
	{
		if (c < '0' || c > '9')
			return std::nullopt;
		int d = c - '0';
		if (value < (std::numeric_limits<std::int64_t>::min() + d) / 10)
			return std::nullopt;
		value = value * 10 - d;
	}
	if (!negative)
	{
		if (value == std::numeric_limits<std::int64_t>::min())
			return std::nullopt;
		value = -value;
	}
	return value;
}

const Json *Json::find(std::string_view name) const noexcept
{
	if (type_ != Type::Object)
		return nullptr;
	for (const Member &m : members_)
		if (m.name == name)
			return &m.value;
	return nullptr;
}

const char *json_error_text(JsonError err) noexcept
{
	switch (err)
	{
	case JsonError::None:
		return "no error";
	case JsonError::Syntax:
		return "syntax error";
	case JsonError::NumberRange:
		return "number out of range";
	case JsonError::InvalidUtf8:
		return "invalid UTF-8";
	case JsonError::NulCharacter:
		return "NUL character in a string";
	case JsonError::DuplicateName:
		return "duplicate member name";
	case JsonError::TooDeep:
		return "nested too deeply";
	case JsonError::Trailing:
		return "trailing bytes after the value";
	}
	return "error";
}

/* ---- parsing ------------------------------------------------------------------------ */

namespace
{

/*
 * rapidjson validates raw UTF-8 (kParseValidateEncodingFlag), but a \uDC00 escape
 * without its high surrogate is still written out as the bytes ED B0 80. Raw input
 * has been validated, so in a decoded string the only invalid sequences left are
 * such encoded surrogates (ED A0..BF) and the NUL that \u0000 produces.
 */
JsonError check_decoded(const char *s, std::size_t len)
{
	const auto *p = reinterpret_cast<const unsigned char *>(s);
	for (std::size_t i = 0; i < len; i++)
	{
		if (p[i] == 0)
			return JsonError::NulCharacter;
		if (p[i] == 0xED && i + 1 < len && p[i + 1] >= 0xA0)
			return JsonError::InvalidUtf8;
	}
	return JsonError::None;
}

/* Names are unique within each object: checked when the object closes. */
bool has_duplicate_names(const std::vector<Json::Member> &members)
{
	std::size_t n = members.size();
	if (n < 2)
		return false;
	if (n <= 8)
	{
		for (std::size_t i = 1; i < n; i++)
			for (std::size_t j = 0; j < i; j++)
				if (members[i].name == members[j].name)
					return true;
		return false;
	}
	std::vector<std::string_view> names;
	names.reserve(n);
	for (const Json::Member &m : members)
		names.emplace_back(m.name);
	std::sort(names.begin(), names.end());
	return std::adjacent_find(names.begin(), names.end()) != names.end();
}

class StrictHandler
{
  public:
	StrictHandler(Json *root, int max_depth) : root_(root), max_depth_(max_depth)
	{
		stack_.reserve(8);
	}

	JsonError error() const { return error_; }

	/* Values are built in their slot, which starts as null. */
	bool Null()
	{
		slot();
		return true;
	}
	bool Bool(bool b)
	{
		slot()->set_bool(b);
		return true;
	}
	/* With kParseNumbersAsStringsFlag every number arrives here as its source text. */
	bool RawNumber(const char *str, rapidjson::SizeType len, bool)
	{
		slot()->set_number(std::string_view(str, len));
		return true;
	}
	bool String(const char *str, rapidjson::SizeType len, bool)
	{
		if (!decoded_ok(str, len))
			return false;
		slot()->set_string(std::string_view(str, len));
		return true;
	}
	bool Key(const char *str, rapidjson::SizeType len, bool)
	{
		if (!decoded_ok(str, len))
			return false;
		std::vector<Json::Member> &members = stack_.back()->mutable_members();
		members.emplace_back();
		members.back().name.assign(str, len);
		return true;
	}
	bool StartObject() { return open(true); }
	bool StartArray() { return open(false); }
	bool EndObject(rapidjson::SizeType)
	{
		if (has_duplicate_names(stack_.back()->members()))
			return fail(JsonError::DuplicateName);
		stack_.pop_back();
		return true;
	}
	bool EndArray(rapidjson::SizeType)
	{
		stack_.pop_back();
		return true;
	}
	/* Never called with the flags we use; present for the Handler concept. */
	bool Int(int) { return fail(JsonError::Syntax); }
	bool Uint(unsigned) { return fail(JsonError::Syntax); }
	bool Int64(std::int64_t) { return fail(JsonError::Syntax); }
	bool Uint64(std::uint64_t) { return fail(JsonError::Syntax); }
	bool Double(double) { return fail(JsonError::Syntax); }

  private:
	bool fail(JsonError e)
	{
		error_ = e;
		return false;
	}

	bool decoded_ok(const char *str, std::size_t len)
	{
		JsonError e = check_decoded(str, len);
		return e == JsonError::None || fail(e);
	}

	/* Where the next value goes: the root, a new array element or the pending member. */
	Json *slot()
	{
		if (stack_.empty())
			return root_;
		Json *top = stack_.back();
		if (top->is_array())
		{
			top->mutable_items().emplace_back();
			return &top->mutable_items().back();
		}
		return &top->mutable_members().back().value;
	}

	/*
	 * Containers open in the slot of their parent. A parent's vector never grows
	 * while a child is open (values only go into the innermost container), so the
	 * pointers on the stack stay valid. Objects reserve room for a typical claims
	 * set, so most never reallocate.
	 */
	bool open(bool object)
	{
		if (static_cast<int>(stack_.size()) >= max_depth_)
			return fail(JsonError::TooDeep);
		Json *at = slot();
		if (object)
		{
			at->set_object();
			at->mutable_members().reserve(8);
		}
		else
			at->set_array();
		stack_.push_back(at);
		return true;
	}

	Json *root_;
	int max_depth_;
	std::vector<Json *> stack_;
	JsonError error_ = JsonError::None;
};

/* A length-bounded input stream: rapidjson's MemoryStream, typed for UTF-8 chars. */
class BoundedStream
{
  public:
	typedef char Ch;
	BoundedStream(const char *begin, std::size_t len)
	    : begin_(begin), cur_(begin), end_(begin + len)
	{
	}
	Ch Peek() const { return cur_ == end_ ? '\0' : *cur_; }
	Ch Take() { return cur_ == end_ ? '\0' : *cur_++; }
	std::size_t Tell() const { return static_cast<std::size_t>(cur_ - begin_); }
	Ch *PutBegin() { return nullptr; }
	void Put(Ch) {}
	void Flush() {}
	std::size_t PutEnd(Ch *) { return 0; }

  private:
	const char *begin_;
	const char *cur_;
	const char *end_;
};

} // namespace

JsonError parse_json_strict(std::string_view text, int max_depth, Json *out)
{
	*out = Json();
	/*
	 * The stream reports end of input as '\0', so a raw NUL byte would look like the
	 * end of the text and hide what follows. JSON never contains a raw NUL (inside
	 * strings control characters must be escaped), so refuse it up front.
	 */
	if (std::memchr(text.data(), '\0', text.size()) != nullptr)
		return JsonError::Syntax;

	constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
	                            rapidjson::kParseNumbersAsStringsFlag |
	                            rapidjson::kParseStopWhenDoneFlag;
	StrictHandler handler(out, max_depth);
	BoundedStream stream(text.data(), text.size());
	rapidjson::Reader reader;
	rapidjson::ParseResult result = reader.Parse<kFlags>(stream, handler);
	if (result.IsError())
	{
		if (handler.error() != JsonError::None)
			return handler.error();
		if (result.Code() == rapidjson::kParseErrorStringInvalidEncoding)
			return JsonError::InvalidUtf8;
		if (result.Code() == rapidjson::kParseErrorNumberTooBig)
			return JsonError::NumberRange;
		return JsonError::Syntax;
	}
	/* kParseStopWhenDoneFlag stops after the root value: only whitespace may follow. */
	for (std::size_t i = stream.Tell(); i < text.size(); i++)
	{
		char c = text[i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return JsonError::Trailing;
	}
	return JsonError::None;
}

/* ---- writing ------------------------------------------------------------------------ */

namespace
{

void write_value(const Json &v, rapidjson::Writer<rapidjson::StringBuffer> &w)
{
	switch (v.type())
	{
	case Json::Type::Null:
		w.Null();
		break;
	case Json::Type::Bool:
		w.Bool(v.as_bool());
		break;
	case Json::Type::Number:
		w.RawValue(v.text().data(), v.text().size(), rapidjson::kNumberType);
		break;
	case Json::Type::String:
		w.String(v.text().data(), static_cast<rapidjson::SizeType>(v.text().size()));
		break;
	case Json::Type::Array:
		w.StartArray();
		for (const Json &item : v.items())
			write_value(item, w);
		w.EndArray();
		break;
	case Json::Type::Object:
		w.StartObject();
		for (const Json::Member &m : v.members())
		{
			w.Key(m.name.data(), static_cast<rapidjson::SizeType>(m.name.size()));
			write_value(m.value, w);
		}
		w.EndObject();
		break;
	}
}

} // namespace

void write_json_compact(const Json &value, std::string *out)
{
	rapidjson::StringBuffer buffer;
	rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
	write_value(value, writer);
	out->assign(buffer.GetString(), buffer.GetSize());
}

} // namespace vecrbac::jwt

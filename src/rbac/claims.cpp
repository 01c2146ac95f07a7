/*
 * claims.cpp: grants from verified claims, and the scopes policies ask for.
 * See claims.h for the claim format. Pure C++: failures throw SqlError.
 */
#include "rbac/claims.h"

#include "jwt/errors.h"
#include "scope/scope.h"

#include <algorithm>
#include <string>

namespace vecrbac::rbac
{

namespace
{

using jwt::Json;

[[noreturn]] void refuse(const std::string &what)
{
	jwt::reject("invalid token claims: " + what);
}

using scope::valid_path;

/* A scope value from a claim: string, int64 integer or boolean, normalized. */
Json scope_value(const Json &v, const char *where)
{
	if (v.is_string())
		return Json::make_string(v.text());
	if (v.is_bool())
		return Json::make_bool(v.as_bool());
	if (v.is_number())
	{
		std::optional<std::int64_t> i = v.as_int64();
		if (i)
			return Json::make_number(std::to_string(*i));
	}
	refuse(std::string(where) + " must be a string, an integer or a boolean");
}

Conjunction read_conjunction(const Json &obj)
{
	if (!obj.is_object())
		refuse("\"payload\" must be an object or a list of objects");
	Conjunction c;
	for (const Json::Member &m : obj.members())
	{
		if (!valid_path(m.name))
			refuse("a \"payload\" key must be a dotted path of non-empty names");
		c.push_back(Condition{m.name, scope_value(m.value, "a \"payload\" value")});
	}
	return c;
}

CollectionGrant read_entry(const Json &entry)
{
	if (!entry.is_object())
		refuse("an \"access\" entry must be an object");
	CollectionGrant g;
	const Json *collection = nullptr;
	const Json *mode = nullptr;
	const Json *payload = nullptr;
	for (const Json::Member &m : entry.members())
	{
		if (m.name == "collection")
			collection = &m.value;
		else if (m.name == "access")
			mode = &m.value;
		else if (m.name == "payload")
			payload = &m.value;
		else
			refuse("unknown member in an \"access\" entry");
	}
	if (collection == nullptr || !collection->is_string() || collection->text().empty())
		refuse("an \"access\" entry needs a non-empty string \"collection\"");
	g.collection = collection->text();
	if (mode == nullptr || !mode->is_string())
		refuse("an \"access\" entry needs a string \"access\"");
	if (mode->text() == "r")
		g.mode = Mode::Read;
	else if (mode->text() == "rw")
		g.mode = Mode::ReadWrite;
	else if (mode->text() == "prw")
		g.mode = Mode::PointReadWrite;
	else
		refuse("unknown access mode in an \"access\" entry (expected r, rw or prw)");

	if (payload == nullptr || payload->is_null())
		return g;
	bool unrestricted = false;
	if (payload->is_array())
	{
		if (payload->items().empty())
			refuse("\"payload\" must not be an empty list");
		for (const Json &item : payload->items())
		{
			Conjunction c = read_conjunction(item);
			unrestricted = unrestricted || c.empty();
			g.payload.push_back(std::move(c));
		}
	}
	else
	{
		Conjunction c = read_conjunction(*payload);
		unrestricted = c.empty();
		g.payload.push_back(std::move(c));
	}
	/* An empty conjunction matches every row: the whole entry does. */
	if (unrestricted)
		g.payload.clear();
	return g;
}

ValueExists read_value_exists(const Json &v)
{
	if (!v.is_object())
		refuse("\"value_exists\" must be an object");
	ValueExists ve;
	const Json *collection = nullptr;
	const Json *matches = nullptr;
	for (const Json::Member &m : v.members())
	{
		if (m.name == "collection")
			collection = &m.value;
		else if (m.name == "matches")
			matches = &m.value;
		else
			refuse("unknown member in \"value_exists\"");
	}
	if (collection == nullptr || !collection->is_string() || collection->text().empty())
		refuse("\"value_exists\" needs a non-empty string \"collection\"");
	ve.collection = collection->text();
	if (matches == nullptr || !matches->is_array() || matches->items().empty())
		refuse("\"value_exists\" needs a non-empty list \"matches\"");
	if (matches->items().size() > kMaxValueExistsPairs)
		refuse("\"value_exists\" has more than " + std::to_string(kMaxValueExistsPairs) +
		       " matches");
	for (const Json &item : matches->items())
	{
		const Json *key = item.is_object() ? item.find("key") : nullptr;
		const Json *value = item.is_object() ? item.find("value") : nullptr;
		if (key == nullptr || value == nullptr || item.members().size() != 2 || !key->is_string())
			refuse("a \"value_exists\" match is an object {\"key\": string, \"value\": ...}");
		if (!valid_path(key->text()))
			refuse("a \"value_exists\" key must be a dotted path of non-empty names");
		for (const Condition &c : ve.matches)
			if (c.key == key->text())
				refuse("duplicate key in \"value_exists\" matches");
		ve.matches.push_back(
		    Condition{key->text(), scope_value(*value, "a \"value_exists\" value")});
	}
	return ve;
}

bool is_key_name(std::string_view key, std::span<const std::string> key_names)
{
	return std::find(key_names.begin(), key_names.end(), key) != key_names.end();
}

/* A condition's value (already normalized by scope_value) in the scope model. */
scope::Value scope_value_of(const Json &v)
{
	if (v.is_string())
		return scope::Value::of_string(v.text());
	if (v.is_bool())
		return scope::Value::of_boolean(v.as_bool());
	return scope::Value::of_integer(*v.as_int64());
}

scope::Scope values_scope(std::vector<scope::Value> values)
{
	scope::Scope s;
	s.kind = scope::Scope::Kind::Values;
	s.values = std::move(values);
	return s;
}

scope::Scope any_scope(std::vector<scope::Conjunction> any)
{
	scope::Scope s;
	s.kind = scope::Scope::Kind::Any;
	s.any = std::move(any);
	return s;
}

/* The scope of every value. */
std::string all_values()
{
	return scope::to_json(scope::Scope{});
}

/* The grant's restriction of one collection, or why there is none. */
enum class Restriction
{
	Nothing,    /* no grant: no rows */
	Everything, /* global grant or unrestricted entry */
	Payload,    /* the entry's payload conjunctions */
};

Restriction restriction(const Grants &grants, std::string_view collection,
                        const CollectionGrant **entry)
{
	if (grants.global != Global::None)
		return Restriction::Everything;
	*entry = grants.find(collection);
	if (*entry == nullptr)
		return Restriction::Nothing;
	return (*entry)->payload.empty() ? Restriction::Everything : Restriction::Payload;
}

} // namespace

const CollectionGrant *Grants::find(std::string_view collection) const noexcept
{
	for (const CollectionGrant &g : collections)
		if (g.collection == collection)
			return &g;
	return nullptr;
}

Grants parse_grants(const Json &claims, MissingAccess missing)
{
	if (!claims.is_object())
		refuse("claims must be an object");
	Grants grants;
	const Json *access = claims.find("access");
	if (access == nullptr)
		grants.global = missing == MissingAccess::Manage ? Global::Manage : Global::None;
	else if (access->is_string())
	{
		if (access->text() == "r")
			grants.global = Global::Read;
		else if (access->text() == "m")
			grants.global = Global::Manage;
		else
			refuse("unknown global access mode (expected r or m)");
	}
	else if (access->is_array())
	{
		for (const Json &entry : access->items())
		{
			CollectionGrant g = read_entry(entry);
			if (grants.find(g.collection) != nullptr)
				refuse("a collection appears twice in \"access\"");
			grants.collections.push_back(std::move(g));
		}
	}
	else
		refuse("\"access\" must be a string or a list");

	if (const Json *ve = claims.find("value_exists"); ve != nullptr)
		grants.value_exists = read_value_exists(*ve);
	return grants;
}

bool allows(const Grants &grants, std::string_view collection, Operation op) noexcept
{
	if (grants.global == Global::Manage)
		return true;
	if (op == Operation::Manage)
		return false;
	if (grants.global == Global::Read)
		return op == Operation::Read;
	const CollectionGrant *g = grants.find(collection);
	if (g == nullptr)
		return false;
	switch (op)
	{
	case Operation::Read:
		return true;
	case Operation::Write:
		return g->mode != Mode::Read;
	case Operation::Truncate:
		return g->mode != Mode::Read && g->payload.empty();
	case Operation::Index:
		return g->mode == Mode::ReadWrite;
	case Operation::Manage:
		return false;
	}
	return false;
}

bool parse_operation(std::string_view name, Operation *out) noexcept
{
	static constexpr std::pair<std::string_view, Operation> kNames[] = {
	    {"read", Operation::Read},         {"write", Operation::Write},
	    {"truncate", Operation::Truncate}, {"index", Operation::Index},
	    {"manage", Operation::Manage},
	};
	for (const auto &[n, op] : kNames)
		if (n == name)
		{
			*out = op;
			return true;
		}
	return false;
}

std::string key_scope(const Grants &grants, std::string_view collection, std::string_view key)
{
	const CollectionGrant *entry = nullptr;
	switch (restriction(grants, collection, &entry))
	{
	case Restriction::Nothing:
		return scope::to_json(values_scope({}));
	case Restriction::Everything:
		return all_values();
	case Restriction::Payload:
		break;
	}
	std::vector<scope::Value> values;
	for (const Conjunction &c : entry->payload)
	{
		auto it =
		    std::find_if(c.begin(), c.end(), [&](const Condition &x) { return x.key == key; });
		if (it == c.end())
			return all_values(); /* this conjunction does not restrict the column */
		scope::Value v = scope_value_of(it->value);
		if (std::find(values.begin(), values.end(), v) == values.end())
			values.push_back(std::move(v));
	}
	return scope::to_json(values_scope(std::move(values)));
}

std::string payload_scope(const Grants &grants, std::string_view collection,
                          std::span<const std::string> key_names)
{
	const CollectionGrant *entry = nullptr;
	switch (restriction(grants, collection, &entry))
	{
	case Restriction::Nothing:
		return scope::to_json(any_scope({}));
	case Restriction::Everything:
		return all_values();
	case Restriction::Payload:
		break;
	}
	std::vector<scope::Conjunction> any;
	for (const Conjunction &c : entry->payload)
	{
		scope::Conjunction conditions;
		for (const Condition &x : c)
			if (!is_key_name(x.key, key_names))
				conditions.push_back(scope::Condition{x.key, scope_value_of(x.value)});
		if (conditions.empty())
			return all_values(); /* this conjunction does not restrict the payload */
		any.push_back(std::move(conditions));
	}
	return scope::to_json(any_scope(std::move(any)));
}

bool scope_is_exact(const Grants &grants, std::string_view collection,
                    std::span<const std::string> key_names)
{
	const CollectionGrant *entry = nullptr;
	if (restriction(grants, collection, &entry) != Restriction::Payload ||
	    entry->payload.size() <= 1)
		return true;
	/* A disjunction is the product of its projections when it restricts one column only. */
	std::optional<std::string_view> column;
	for (const Conjunction &c : entry->payload)
		for (const Condition &x : c)
		{
			std::string_view col = is_key_name(x.key, key_names) ? std::string_view(x.key)
			                                                     : std::string_view("\x01payload");
			if (column && *column != col)
				return false;
			column = col;
		}
	return true;
}

std::string row_scope(const Grants &grants, std::string_view collection,
                      std::span<const std::string> key_names)
{
	const CollectionGrant *entry = nullptr;
	switch (restriction(grants, collection, &entry))
	{
	case Restriction::Nothing:
		return scope::to_json(any_scope({}));
	case Restriction::Everything:
		return all_values();
	case Restriction::Payload:
		break;
	}
	std::vector<scope::Conjunction> any;
	for (const Conjunction &c : entry->payload)
	{
		scope::Conjunction conditions;
		for (const Condition &x : c)
			conditions.push_back(scope::Condition{
			    (is_key_name(x.key, key_names) ? "k." : "p.") + x.key, scope_value_of(x.value)});
		any.push_back(std::move(conditions));
	}
	return scope::to_json(any_scope(std::move(any)));
}

std::vector<std::pair<std::string, std::string>> parse_key_columns(std::string_view json)
{
	Json doc;
	if (jwt::parse_json_strict(json, 4, &doc) != jwt::JsonError::None || !doc.is_object())
		jwt::bad_config("key_columns must be a JSON object");
	std::vector<std::pair<std::string, std::string>> pairs;
	for (const Json::Member &m : doc.members())
	{
		if (!m.value.is_string())
			jwt::bad_config("key_columns must map token keys to column names");
		pairs.emplace_back(m.name, m.value.text());
	}
	return pairs;
}

namespace
{

const char *json_kind(const Json &v)
{
	return v.is_string() ? "a string" : v.is_bool() ? "a boolean" : "a number";
}

bool holds(KeyKind kind, const Json &v)
{
	switch (kind)
	{
	case KeyKind::Integer:
		return v.is_number();
	case KeyKind::Boolean:
		return v.is_bool();
	case KeyKind::String:
		return v.is_string();
	}
	return false;
}

} // namespace

void check_key_types(const Grants &grants, std::string_view collection,
                     std::span<const KeyColumn> columns)
{
	const CollectionGrant *entry = nullptr;
	if (restriction(grants, collection, &entry) != Restriction::Payload)
		return;
	for (const Conjunction &c : entry->payload)
		for (const Condition &x : c)
			for (const KeyColumn &k : columns)
				if (x.key == k.key && !holds(k.kind, x.value))
					refuse("\"" + x.key + "\" is " + json_kind(x.value) +
					       " in the token, but key column \"" + k.column + "\" is " + k.type_name);
}

void refuse_writable_value_exists(const Grants &grants)
{
	if (grants.value_exists && allows(grants, grants.value_exists->collection, Operation::Write))
		refuse("the token may write \"" + grants.value_exists->collection +
		       "\", the collection of its own value_exists condition");
}

std::vector<LookupTest> value_exists_tests(const ValueExists &ve,
                                           std::span<const std::string> key_names)
{
	std::vector<LookupTest> tests;
	scope::Conjunction payload;
	for (const Condition &x : ve.matches)
	{
		if (!is_key_name(x.key, key_names))
		{
			payload.push_back(scope::Condition{x.key, scope_value_of(x.value)});
			continue;
		}
		tests.push_back(LookupTest{x.key, scope::to_json(values_scope({scope_value_of(x.value)}))});
	}
	if (!payload.empty())
		tests.push_back(LookupTest{"", scope::to_json(any_scope({std::move(payload)}))});
	return tests;
}

} // namespace vecrbac::rbac

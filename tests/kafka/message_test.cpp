// SPDX-License-Identifier: MIT
// Tests of kafka/message.hpp: message_reader on messages given directly (no cluster): csv
// headers per partition, names given up front, json and raw payloads, metadata columns,
// errors naming partition and offset.
#include <streamreg/json/jsonl.hpp>
#include <streamreg/kafka/message.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using streamreg::kafka::message_format;
using streamreg::kafka::message_options;
using streamreg::kafka::message_reader;
using result = message_reader::result;

message_options csv_options(std::vector<std::string> columns) {
  message_options o;
  o.columns = std::move(columns);
  return o;
}

}  // namespace

TEST_CASE("kafka message_reader: a csv header per partition, then records", "[kafka][message]") {
  message_reader in(csv_options({"y", "x", "@partition", "@offset", "@timestamp"}));
  CHECK(in.header_messages());
  CHECK(in.expects_header(0));
  CHECK(in.read(0, 0, 5, std::nullopt, "x,y") == result::passed_over);
  CHECK_FALSE(in.expects_header(0));
  CHECK(in.expects_header(3));
  CHECK(in.read(3, 0, 5, std::nullopt, "y,x") == result::passed_over);  // its own header
  REQUIRE(in.read(0, 1, 1700000000123, std::nullopt, "1,2") == result::record);
  CHECK(in.values() == std::vector<double>{2, 1, 0, 1, 1700000000123.0});
  REQUIRE(in.read(3, 1, 7, "k", "4,5") == result::record);
  CHECK(in.values() == std::vector<double>{4, 5, 3, 1, 7});
  CHECK(in.read(0, 2, 8, std::nullopt, "1,2,3") == result::record);  // extra fields
  REQUIRE(in.read(0, 3, -1, std::nullopt, "1,2") == result::error);
  CHECK(std::string(in.error().what()) == "partition 0, offset 3, field '@timestamp': no timestamp");
  REQUIRE(in.read(3, 2, 1, std::nullopt, "oops,3") == result::error);
  CHECK(std::string(in.error().what()) == "partition 3, offset 2, column 1 (y): not a number: 'oops'");
  CHECK(in.error().line() == 2);
  CHECK(in.partition() == 3);
  CHECK(in.offset() == 2);
  const streamreg::parse_error f = in.field_error(1, "-1", "not positive");
  CHECK(std::string(f.what()) == "partition 3, offset 2, field 'x': not positive: '-1'");

  // Forgotten: the partition's next message is its header again.
  in.reset(0);
  CHECK(in.expects_header(0));
  CHECK(in.read(0, 0, 1, std::nullopt, "a,x,y") == result::passed_over);
  REQUIRE(in.read(0, 1, 1, std::nullopt, "9,1,2") == result::record);
  CHECK(in.values()[0] == 2);
  CHECK(in.values()[1] == 1);
}

TEST_CASE("kafka message_reader: a header without a selected column", "[kafka][message][errors]") {
  message_reader in(csv_options({"x", "y"}));
  CHECK_THROWS_WITH(in.read(2, 7, -1, std::nullopt, "a,b"),
                    Contains("Kafka partition 2, offset 7: header 'a,b': unknown column 'x'"));
  CHECK(in.expects_header(2));  // still: the next message is read as the header
  CHECK(in.read(2, 8, -1, std::nullopt, "x,y") == result::passed_over);
  CHECK(in.read(2, 9, -1, std::nullopt, "1,2") == result::record);
}

TEST_CASE("kafka message_reader: names given up front, or no header", "[kafka][message]") {
  auto o = csv_options({"x", "y"});
  o.header = {"x", "y"};
  message_reader named(o);
  CHECK_FALSE(named.header_messages());
  CHECK_FALSE(named.expects_header(0));
  CHECK(named.read(0, 0, -1, std::nullopt, "x,y") == result::passed_over);  // a header anyway
  CHECK(named.read(0, 1, -1, std::nullopt, "1,2") == result::record);
  CHECK(named.read(1, 0, -1, std::nullopt, "3,4") == result::record);  // any partition
  CHECK(named.values() == std::vector<double>{3, 4});

  auto n = csv_options({"2", "@key"});
  n.header_message = false;
  message_reader numbered(n);
  REQUIRE(numbered.read(0, 0, -1, std::string_view(" 17 "), "x,y") == result::error);
  CHECK(std::string(numbered.error().what()) ==
        "partition 0, offset 0, column 2 (2): not a number: 'y'");
  REQUIRE(numbered.read(0, 1, -1, std::string_view(" 17 "), "1,2") == result::record);
  CHECK(numbered.values() == std::vector<double>{2, 17});
  REQUIRE(numbered.read(0, 2, -1, std::nullopt, "1,2") == result::error);
  CHECK(std::string(numbered.error().what()) == "partition 0, offset 2, field '@key': no key");
  REQUIRE(numbered.read(0, 3, -1, std::string_view("k1"), "1,2") == result::error);
  CHECK(std::string(numbered.error().what()) ==
        "partition 0, offset 3, field '@key': key is not a number: 'k1'");
}

TEST_CASE("kafka message_reader: a column selected twice", "[kafka][message][columns]") {
  // As realtime_regression --x t --time t: the payload column is read into both places.
  message_reader in(csv_options({"t", "y", "@offset", "t"}));
  CHECK(in.read(0, 0, -1, std::nullopt, "t,y") == result::passed_over);
  REQUIRE(in.read(0, 1, -1, std::nullopt, "3,4") == result::record);
  CHECK(in.values() == std::vector<double>{3, 4, 1, 3});
  REQUIRE(in.read(0, 2, -1, std::nullopt, "\"5\",6") == result::record);
  CHECK(in.values() == std::vector<double>{5, 6, 2, 5});
}

TEST_CASE("kafka message_reader: json and raw payloads", "[kafka][message]") {
  message_options j;
  j.format = message_format::json;
  j.columns = {"x", "y", "@key"};
  CHECK_THROWS_AS(message_reader(j), streamreg::config_error);  // no decoder
  j.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
  message_reader json(j);
  CHECK_FALSE(json.header_messages());
  REQUIRE(json.read(4, 10, -1, std::string_view("2.5"), R"({"y":1,"x":-2})") == result::record);
  CHECK(json.values() == std::vector<double>{-2, 1, 2.5});
  REQUIRE(json.read(4, 11, -1, std::string_view("1"), R"({"x":1})") == result::error);
  CHECK(std::string(json.error().what()) == "partition 4, offset 11, field 'y': missing field");
  REQUIRE(json.read(4, 12, -1, std::string_view("1"), "{") == result::error);
  CHECK_THAT(json.error().what(), Contains("partition 4, offset 12: not valid JSON"));

  message_options r;
  r.format = message_format::raw;
  r.columns = {"@offset", "value"};
  message_reader raw(r);
  REQUIRE(raw.read(0, 5, -1, std::nullopt, " 1e3 ") == result::record);
  CHECK(raw.values() == std::vector<double>{5, 1000});
  for (const char* bad : {"x", "nan", "1e999", ""}) {
    INFO(bad);
    CHECK(raw.read(0, 6, -1, std::nullopt, bad) == result::error);
    CHECK_THAT(raw.error().what(), Contains("partition 0, offset 6, field 'value': "));
  }
  r.columns = {"@offset", "y"};
  CHECK_THROWS_AS(message_reader(r), streamreg::config_error);
  r.columns = {"@time", "value"};
  CHECK_THROWS_WITH(message_reader(r), Contains("unknown message column '@time'"));
}

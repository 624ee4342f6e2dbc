//! The property rules: arbitrary names and values through `parse_key` and `set_props`
//! never panic; a refused call changes nothing; an accepted one reads back, and survives the
//! record encoding.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mapi_outbox::message::MessageContent;
use mapi_outbox::props::{parse_key, PropValue};
use mapi_outbox::record;

#[derive(Arbitrary, Debug)]
enum Value {
    Text(String),
    Long(i32),
    Bool(bool),
    I8(i64),
    Time(i64),
    Bytes(Vec<u8>),
    Texts(Vec<String>),
    Longs(Vec<i32>),
}

impl Value {
    fn into_prop(self) -> PropValue {
        match self {
            Value::Text(s) => PropValue::Unicode(s),
            Value::Long(n) => PropValue::Long(n),
            Value::Bool(b) => PropValue::Boolean(b),
            Value::I8(n) => PropValue::I8(n),
            Value::Time(t) => PropValue::SysTime(t),
            Value::Bytes(b) => PropValue::Binary(b.into()),
            Value::Texts(v) => PropValue::MvUnicode(v),
            Value::Longs(v) => PropValue::MvLong(v),
        }
    }
}

const NAMES: &[&str] = &[
    "PidTagSubject",
    "PidTagBody",
    "PidTagBodyHtml",
    "PidTagImportance",
    "PidTagPriority",
    "PidTagMessageClass",
    "PidTagSenderName",
    "PidTagSenderEmailAddress",
    "PidTagInternetMessageId",
    "PidTagDeferredSendTime",
    "PidTagDeferredSendNumber",
    "PidTagDeferredSendUnits",
    "PidTagMessageFlags",
    "PidTagDisplayTo",
    "0x8001001F",
    "0x80021003",
    "0x8003000B",
];

#[derive(Arbitrary, Debug)]
struct Input {
    calls: Vec<(u8, Option<String>, Value)>,
}

fuzz_target!(|input: Input| {
    let mut content = MessageContent::default();
    for (pick, raw_name, value) in input.calls {
        let name = raw_name.unwrap_or_else(|| NAMES[pick as usize % NAMES.len()].to_string());
        let Ok(tag) = parse_key(&name) else { continue };
        let before = content.clone();
        let value = value.into_prop();
        match content.set_props(vec![(tag, value.clone())]) {
            Ok(()) => {
                let got = content.props.get(tag).cloned();
                assert_eq!(got.as_ref(), Some(&value), "{name} reads back as set");
            }
            Err(_) => assert_eq!(content, before, "a refused setProps changed nothing"),
        }
    }
    let back = record::decode("fuzz", &record::encode(&content).expect("content encodes")).expect("encoded content decodes");
    assert_eq!(back, content);
});

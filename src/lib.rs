#![allow(deprecated)]
pub fn hello() {}

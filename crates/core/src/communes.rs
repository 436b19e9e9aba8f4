//! Real French communes (name, postcode, département, population), from the
//! Etalab "découpage administratif" data set: see `data/README.md`.

use std::sync::OnceLock;

/// One commune.
#[derive(Debug, Clone, Copy)]
pub struct Commune {
    /// Official name.
    pub nom: &'static str,
    /// Smallest postcode.
    pub code_postal: &'static str,
    /// Département code.
    pub departement: &'static str,
    /// Population.
    pub population: u32,
}

const DATA: &str = include_str!("../data/communes.tsv");

/// Every commune of the embedded table, in INSEE code order.
pub fn all() -> &'static [Commune] {
    static TABLE: OnceLock<Vec<Commune>> = OnceLock::new();
    TABLE.get_or_init(|| {
        DATA.lines()
            .skip(1)
            .filter_map(|line| {
                let mut f = line.split('\t');
                Some(Commune {
                    nom: f.next()?,
                    code_postal: f.next()?,
                    departement: f.next()?,
                    population: f.next()?.parse().ok()?,
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_complete_and_real() {
        let all = super::all();
        assert!(all.len() > 10_000, "{}", all.len());
        assert_eq!(all.len(), super::DATA.lines().count() - 1, "every line parses");
        let paris = all.iter().find(|c| c.nom == "Paris").expect("Paris is in the table");
        assert_eq!((paris.code_postal, paris.departement), ("75001", "75"));
        assert!(paris.population > 2_000_000);
    }
}

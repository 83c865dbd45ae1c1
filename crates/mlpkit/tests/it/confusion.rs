//! The confusion matrix: its counts and scores, its heatmaps, the most confused classes,
//! and the tables that report them.

use mlpkit::plot::luminance;
use mlpkit::prelude::*;
use plotters::style::RGBColor;

use crate::util::figures::*;

#[test]
fn confusion_matrix_counts_and_scores() {
    let truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
    let pred = [0, 0, 1, 1, 1, 2, 2, 2, 0, 1];
    let cm = ConfusionMatrix::new(&truth, &pred, &["a", "b", "c"]).unwrap();
    assert_eq!(cm.counts(), [[2, 1, 0], [0, 2, 0], [1, 1, 3]]);
    assert_eq!((cm.count(2, 2), cm.count(9, 9)), (3, 0));
    assert_eq!(cm.class_names().len(), 3);
    assert_eq!(cm.accuracy(), 0.7);
    assert!((cm.precision(0).unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((cm.recall(2).unwrap() - 0.6).abs() < 1e-12);
    assert!((cm.precision(1).unwrap() - 0.5).abs() < 1e-12);
    assert!((cm.f1(1).unwrap() - 2.0 * 0.5 * 1.0 / 1.5).abs() < 1e-12);
    assert_eq!(cm.support(2).unwrap(), 5);
    assert!(cm.precision(3).is_err() && cm.recall(10).is_err() && cm.support(3).is_err());
    let (t, p, n) = cm.most_confused().unwrap();
    assert!(t != p && n == 1 && cm.count(t, p) == 1);
    let lopsided = ConfusionMatrix::new(&[0, 1, 1, 1], &[0, 0, 0, 1], &["a", "b"]).unwrap();
    assert_eq!(lopsided.most_confused(), Some((1, 0, 2)));
    assert_eq!(cm.row_shares()[2], [0.2, 0.2, 0.6]);
    let report = cm.to_string();
    assert!(
        report.contains("precision") && report.contains("0.700"),
        "{report}"
    );
    assert!(ConfusionMatrix::new(&[0, 5], &[0, 1], &["a", "b"]).is_err());
    assert!(ConfusionMatrix::new(&[0], &[0, 1], &["a", "b"]).is_err());
    assert_eq!(accuracy(&truth, &pred).unwrap(), 0.7);
}

#[test]
fn heatmap_darkest_cell_is_the_largest_count() {
    let names = DatasetKind::FashionMnist.class_names();
    // A diagonal-heavy matrix whose largest count sits at (6, 6).
    let mut truth = Vec::new();
    let mut pred = Vec::new();
    for t in 0..10u32 {
        let n = if t == 6 { 120 } else { 40 + 5 * t };
        for i in 0..n {
            truth.push(t);
            pred.push(if i % 7 == 0 { (t + 1) % 10 } else { t });
        }
    }
    let cm = ConfusionMatrix::new(&truth, &pred, &names).unwrap();
    let heat = mlpkit::plot::Heatmap::new(&cm);
    let layout = heat.clone();
    let fig = heat.figure();
    let img = decode(&fig.png().unwrap());
    let r = fig.resolution;
    assert_eq!(img.dimensions(), (fig.width * r, fig.height * r));
    let mut darkest = (f32::MAX, 0, 0);
    for t in 0..10 {
        for p in 0..10 {
            let (x, y) = layout.cell_origin(t, p);
            let px = img.get_pixel((x + 5) * r, (y + 5) * r).0;
            let l = luminance(RGBColor(px[0], px[1], px[2]));
            if l < darkest.0 {
                darkest = (l, t, p);
            }
        }
    }
    assert_eq!((darkest.1, darkest.2), (6, 6));
    // Zero cells are the palest colour of the map.
    let (x, y) = layout.cell_origin(0, 5);
    let c = Colormap::Blues.color(0.0);
    assert_eq!(img.get_pixel((x + 5) * r, (y + 5) * r).0, [c.0, c.1, c.2]);
    // Class names and axis titles are written.
    let texts = svg_texts(&Heatmap::new(&cm).figure().svg().unwrap());
    for text in [
        "Ankle boot",
        "T-shirt/top",
        "predicted label",
        "true label",
        "102",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    // Row 0 has 40 examples, 6 of them (i % 7 == 0) predicted as class 1: 34 / 40 = 85%.
    let shares = svg_texts(
        &mlpkit::plot::Heatmap::new(&cm)
            .normalize(true)
            .figure()
            .svg()
            .unwrap(),
    );
    assert!(
        shares.iter().any(|t| t == "85%"),
        "row shares are annotated as percentages: {shares:?}"
    );
}

#[test]
fn tables_align_as_text_and_escape_as_html() {
    let t = Table::new(&["", "the tutorial", "this notebook"])
        .row(&["test accuracy", "96.5%", "96.14%"])
        .row(&["a<b", "x"]);
    assert_eq!(
        t.to_string(),
        "               the tutorial  this notebook\n-------------  ------------  -------------\ntest accuracy  96.5%         96.14%\na<b            x"
    );
    let html = t.to_html();
    assert!(
        html.contains("<td style=\"text-align:left\">a&lt;b</td>")
            && html.contains("<th style=\"text-align:left\">the tutorial</th>"),
        "{html}"
    );
}

/// 100 examples of each of 10 classes; class 3 loses 30 to class 5, every other class 5 to
/// the next class.
fn errors_matrix() -> ConfusionMatrix {
    let (mut truth, mut pred) = (Vec::new(), Vec::new());
    for t in 0..10u32 {
        for i in 0..100 {
            truth.push(t);
            let wrong = if t == 3 { i < 30 } else { i < 5 };
            pred.push(match (wrong, t) {
                (false, _) => t,
                (true, 3) => 5,
                (true, _) => (t + 1) % 10,
            });
        }
    }
    ConfusionMatrix::new(&truth, &pred, &DatasetKind::Mnist.class_names()).unwrap()
}

#[test]
fn heatmap_errors_view_puts_the_errors_on_their_own_scale() {
    let cm = errors_matrix();
    let heat = mlpkit::plot::Heatmap::new(&cm).view(HeatmapView::Errors);
    let img = decode(&heat.clone().figure().png().unwrap());
    let r = heat.clone().figure().resolution;
    let at = |t: usize, p: usize| {
        let (x, y) = heat.cell_origin(t, p);
        let px = img.get_pixel((x + 4) * r, (y + 4) * r).0;
        RGBColor(px[0], px[1], px[2])
    };
    // The diagonal is one neutral grey, whatever the recall.
    assert_eq!(at(0, 0), at(3, 3));
    assert_eq!(at(0, 0), RGBColor(222, 222, 222));
    // The largest error is the darkest cell and the top of the scale; a 5 % error is far
    // from the palest colour (with counts on one scale it would be nearly white).
    let darkest = (0..10)
        .flat_map(|t| (0..10).map(move |p| (t, p)))
        .filter(|(t, p)| t != p)
        .min_by(|a, b| luminance(at(a.0, a.1)).total_cmp(&luminance(at(b.0, b.1))))
        .unwrap();
    assert_eq!(darkest, (3, 5));
    assert_eq!(at(3, 5), Colormap::Oranges.color(1.0));
    let pale = Colormap::Oranges.color(0.0);
    assert_eq!(at(0, 5), pale, "a cell without errors is the palest colour");
    assert!(
        luminance(at(0, 1)) < luminance(pale) - 0.1,
        "a 5 % error stands out"
    );
    let texts = svg_texts(&heat.figure().svg().unwrap());
    for text in [
        "30%",
        "70%",
        "95%",
        "5.0%",
        "errors, % of true class (√ scale)",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    // The counts view, for contrast: the same 5 % error is within a few percent of white.
    let counts = mlpkit::plot::Heatmap::new(&cm);
    let img = decode(&counts.clone().figure().png().unwrap());
    let (x, y) = counts.cell_origin(0, 1);
    let px = img.get_pixel((x + 4) * r, (y + 4) * r).0;
    assert!(luminance(RGBColor(px[0], px[1], px[2])) > 0.85);
}

/// Two matrices compared side by side: on their own scales the same share gets two colours;
/// on one shared scale, one colour.
#[test]
fn heatmaps_can_share_one_scale() {
    let a = errors_matrix();
    // The same errors, but class 3's 30 % spread over three classes (10 % each).
    let mut truth = Vec::new();
    let mut pred = Vec::new();
    for t in 0..10u32 {
        for i in 0..100u32 {
            truth.push(t);
            pred.push(match (t, i) {
                (3, i) if i < 30 => [5, 6, 7][(i % 3) as usize],
                (t, i) if t != 3 && i < 5 => (t + 1) % 10,
                (t, _) => t,
            });
        }
    }
    let b = ConfusionMatrix::new(&truth, &pred, &DatasetKind::Mnist.class_names()).unwrap();
    let colour = |heat: &Heatmap, t: usize, p: usize| {
        let fig = heat.clone().figure();
        let img = decode(&fig.png().unwrap());
        let (x, y) = heat.cell_origin(t, p);
        img.get_pixel((x + 4) * fig.resolution, (y + 4) * fig.resolution)
            .0
    };
    let (ha, hb) = (
        Heatmap::new(&a).view(HeatmapView::Errors),
        Heatmap::new(&b).view(HeatmapView::Errors),
    );
    assert_eq!((ha.scale_top(), hb.scale_top()), (0.3, 0.1));
    // Cell (0, 1) is a 5 % error in both.
    assert_ne!(colour(&ha, 0, 1), colour(&hb, 0, 1), "own scales");
    let top = ha.scale_top().max(hb.scale_top());
    let (ha, hb) = (ha.scale_max(top), hb.scale_max(top));
    assert_eq!(colour(&ha, 0, 1), colour(&hb, 0, 1), "one scale");
    assert_eq!(hb.scale_top(), 0.3);
}

#[test]
fn confusions_and_pairs_are_ranked_by_count() {
    // Class 0 called 1 four times, 1 called 0 three times, 2 called 0 five times.
    let mut truth = vec![0u32; 10];
    let mut pred = vec![0u32; 10];
    truth.extend([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 2]);
    pred.extend([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    let cm = ConfusionMatrix::new(&truth, &pred, &["a", "b", "c"]).unwrap();
    assert_eq!(cm.confusions(), vec![(2, 0, 5), (0, 1, 4), (1, 0, 3)]);
    assert_eq!(cm.most_confused(), Some((2, 0, 5)));
    // Both directions together: a/b 7 beats a/c 5.
    assert_eq!(cm.confused_pairs(), vec![(0, 1, 7), (0, 2, 5)]);
}
